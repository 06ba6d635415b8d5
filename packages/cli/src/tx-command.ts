/**
 * `parley tx`: the client of a running 2pc cluster. `put` asks for one
 * transaction and prints its outcome and votes; `show` asks every node
 * what it knows of a transaction, which is how a blocked one shows: its
 * prepared participants say `blocked` while the coordinator is down.
 */
import { callExactlyOnce, callNode, bearer, clusterAccess, ClusterControlError, freshSession, readCluster } from "@parley/runtime"
import type { ClusterAccess } from "@parley/runtime"
import type { ApiAnswer } from "@parley/runtime"
import { Console, Effect, Option, Result } from "effect"
import { Argument, Command, Flag } from "effect/cli"

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print the answers as JSON"))

/** `k1=v1 k2=v2` as the body's writes; the first `=` ends the key, so a value may hold one. */
export const parseWrites = (words: ReadonlyArray<string>): Result.Result<Record<string, string>, string> => {
  const writes: Record<string, string> = {}
  for (const word of words) {
    const at = word.indexOf("=")
    if (at <= 0) return Result.fail(`expected KEY=VALUE, got ${JSON.stringify(word)}`)
    const key = word.slice(0, at)
    if (Object.hasOwn(writes, key)) return Result.fail(`key ${JSON.stringify(key)} is written twice`)
    Object.defineProperty(writes, key, { value: word.slice(at + 1), enumerable: true, writable: true, configurable: true })
  }
  return Object.keys(writes).length === 0 ? Result.fail("give at least one KEY=VALUE") : Result.succeed(writes)
}

const fail = (message: string) => Effect.fail(new ClusterControlError({ message }))

const votesLine = (votes: unknown): string =>
  typeof votes === "object" && votes !== null
    ? Object.entries(votes).map(([participant, vote]) => `${participant} ${vote === null ? "did not vote" : `voted ${String(vote)}`}`).join(", ")
    : ""

const put = Command.make(
  "put",
  {
    writes: Argument.String("writes").pipe(Argument.variadic({ min: 1 }), Argument.withDescription("KEY=VALUE, one or more")),
    dir,
    node: Flag.String("node").pipe(Flag.optional, Flag.withDescription("Ask this node first (any node hands a transaction to the coordinator)")),
    timeout: Flag.Int("timeout").pipe(Flag.withDefault(15_000), Flag.withDescription("Milliseconds to keep trying while the outcome is unknown")),
    json
  },
  ({ writes, dir, node, timeout, json }) =>
    Effect.gen(function*() {
      const body = yield* Effect.fromResult(parseWrites(writes)).pipe(Effect.mapError((message) => new ClusterControlError({ message })))
      if (timeout < 1) return yield* fail(`--timeout must be at least 1 ms, got ${timeout}`)
      const file = yield* Effect.fromResult(readCluster(dir))
      const access = yield* Effect.fromResult(clusterAccess(dir))
      const answer = yield* Effect.promise(() =>
        callExactlyOnce(file.nodes, "POST", "/v1/tx", JSON.stringify({ writes: body }), {
          session: freshSession("tx"),
          deadlineMs: timeout,
          ...(Option.isSome(node) ? { first: node.value } : {}),
          ...access
        })
      )
      if (answer === undefined) return yield* fail(`no node of the cluster in ${dir} answered within ${timeout} ms`)
      if (json) yield* Console.log(JSON.stringify(answer.body))
      if (answer.status === 200) return json ? undefined : yield* Console.log(`committed ${String(answer.body["tx"])}: ${votesLine(answer.body["votes"])}`)
      return yield* fail(`${answer.status}: ${String(answer.body["error"] ?? JSON.stringify(answer.body))}`)
    })
).pipe(Command.withDescription("Write KEY=VALUE pairs in one transaction across the participants; prints committed, or fails with why it aborted"))

const answerOf = (node: { readonly id: string; readonly client: string; readonly peer: string }, path: string, access: ClusterAccess) =>
  Effect.promise((): Promise<ApiAnswer | string> => callNode(node, "GET", path, undefined, 2000, bearer(access.token), access.trust).catch(() => "no answer"))

const show = Command.make("show", { id: Argument.String("id").pipe(Argument.withDescription("A transaction id, such as t1")), dir, json }, ({ id, dir, json }) =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(readCluster(dir))
    const access = yield* Effect.fromResult(clusterAccess(dir))
    const path = `/v1/tx/${encodeURIComponent(id)}`
    const answers = yield* Effect.forEach(file.nodes, (node) => answerOf(node, path, access), { concurrency: "unbounded" })
    const views = file.nodes.map((node, i) => {
      const answer = answers[i]!
      return typeof answer === "string" ? { node: node.id, state: answer } : { node: node.id, state: String(answer.body["state"]), votes: answer.body["votes"] }
    })
    if (json) return yield* Console.log(JSON.stringify({ tx: id, nodes: views }))
    const width = Math.max(...views.map((view) => view.node.length))
    for (const view of views) {
      const votes = "votes" in view ? votesLine(view.votes) : ""
      yield* Console.log(`${view.node.padEnd(width)}  ${view.state}${votes === "" ? "" : `  (${votes})`}`)
    }
  })).pipe(Command.withDescription("What every node knows of transaction ID: the coordinator's decision and votes, each participant's state (blocked while it waits for a coordinator that is down)"))

export const txCommand = Command.make("tx").pipe(
  Command.withDescription("Run and inspect transactions on a running 2pc cluster"),
  Command.withSubcommands([put, show])
)
