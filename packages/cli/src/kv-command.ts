import { kvPath } from "@parley/kv"
import { callExactlyOnce, clusterAccess, ClusterControlError, freshSession, noAnswerReason, readCluster } from "@parley/runtime"
import { Console, Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const node = Flag.String("node").pipe(Flag.optional, Flag.withDescription("Ask this node first (any node forwards to the leader)"))
const timeout = Flag.Int("timeout").pipe(
  Flag.withDefault(15_000),
  Flag.withDescription("Milliseconds to keep trying: an answer that says the outcome is unknown (503) is retried as the same operation")
)
const key = Argument.String("key")

interface Target {
  readonly dir: string
  readonly node: Option.Option<string>
  readonly timeout: number
}

/**
 * Sends one operation to the cluster under a session of its own, and sends
 * it again on a 503 or when no node answers: the same operation, so it
 * takes effect once. A refusal is an error with the server's own words.
 */
const call = ({ dir, node, timeout }: Target, method: string, key: string, suffix = "", body?: string) =>
  Effect.gen(function*() {
    if (key === "." || key === "..") {
      return yield* new ClusterControlError({ message: `the key ${JSON.stringify(key)} cannot be sent: a URL reads it as a path step` })
    }
    if (timeout < 1) return yield* new ClusterControlError({ message: `--timeout must be at least 1 ms, got ${timeout}` })
    const file = yield* Effect.fromResult(readCluster(dir))
    const access = yield* Effect.fromResult(clusterAccess(dir))
    const options = {
      session: freshSession("kv"),
      deadlineMs: timeout,
      ...(Option.isSome(node) ? { first: node.value } : {}),
      ...access
    }
    const answer = yield* Effect.promise(() => callExactlyOnce(file.nodes, method, `${kvPath(key)}${suffix}`, body, options))
    if (answer === undefined) {
      const why = yield* Effect.promise(() => noAnswerReason(file.nodes, access))
      return yield* new ClusterControlError({ message: `no node of the cluster in ${dir} answered within ${timeout} ms${why === undefined ? "" : ` (${why})`}` })
    }
    return answer
  })

const refused = (answer: { readonly status: number; readonly body: Record<string, unknown> }) =>
  new ClusterControlError({ message: `${answer.status}: ${String(answer.body["error"] ?? JSON.stringify(answer.body))}` })

const context = Flag.String("context").pipe(
  Flag.optional,
  Flag.withDescription("For dynamo-register: the causal context a get printed (n1:2,n2:1); the write supersedes every version it names")
)

const put = Command.make("put", { key, value: Argument.String("value"), context, dir, node, timeout }, (target) =>
  Effect.gen(function*() {
    const suffix = Option.match(target.context, { onNone: () => "", onSome: (c) => `?context=${encodeURIComponent(c)}` })
    const answer = yield* call(target, "PUT", target.key, suffix, target.value)
    if (answer.status !== 200) return yield* refused(answer)
    yield* Console.log("OK")
    if (typeof answer.body["context"] === "string") yield* Console.log(`context ${answer.body["context"]}`)
  })).pipe(Command.withDescription("Set KEY to VALUE; answers once the write is committed (dynamo-register: stored at one replica)"))

/** A version as dynamo-register's GET lists it: a value and its clock. */
const Sibling = Schema.Struct({ value: Schema.String, clock: Schema.Record(Schema.String, Schema.Number) })
const decodeSiblings = Schema.decodeUnknownOption(Schema.Array(Sibling))

const clockText = (clock: Readonly<Record<string, number>>): string =>
  `[${Object.keys(clock).sort().map((node) => `${node}:${clock[node]}`).join(" ")}]`

/** Concurrent versions one a line, then the context that resolves them; a single version as its value alone, as any store prints it. */
const siblingLines = (siblings: ReadonlyArray<typeof Sibling.Type>, context: unknown): ReadonlyArray<string> => {
  const resolve = typeof context === "string" ? [`context ${context}`] : []
  if (siblings.length === 1) return [siblings[0]!.value, ...resolve]
  return [
    `${siblings.length} concurrent siblings:`,
    ...siblings.map((s) => `  ${JSON.stringify(s.value)} ${clockText(s.clock)}`),
    ...resolve.map((line) => `${line}  (put with --context ${String(context)} to resolve them)`)
  ]
}

const get = Command.make("get", { key, dir, node, timeout }, (target) =>
  Effect.gen(function*() {
    const answer = yield* call(target, "GET", target.key)
    if (answer.status !== 200) return yield* refused(answer)
    const siblings = decodeSiblings(answer.body["siblings"])
    if (Option.isNone(siblings)) return yield* Console.log(String(answer.body["value"]))
    for (const line of siblingLines(siblings.value, answer.body["context"])) yield* Console.log(line)
  })).pipe(Command.withDescription(
    "Print KEY's value (raft: a linearizable read through the leader's log; dynamo-register: every concurrent sibling and the context that resolves them)"
  ))

const del = Command.make("del", { key, dir, node, timeout }, (target) =>
  Effect.gen(function*() {
    const answer = yield* call(target, "DELETE", target.key)
    if (answer.status !== 200) return yield* refused(answer)
    yield* Console.log(answer.body["deleted"] === true ? "deleted" : "absent")
  })).pipe(Command.withDescription("Delete KEY"))

const expected = Flag.String("expected").pipe(
  Flag.optional,
  Flag.withDescription("The value KEY must hold for the swap; without it, KEY must be absent")
)

const cas = Command.make("cas", { key, value: Argument.String("value"), expected, dir, node, timeout }, (target) =>
  Effect.gen(function*() {
    const body = JSON.stringify({ expected: Option.getOrNull(target.expected), value: target.value })
    const answer = yield* call(target, "POST", target.key, "/cas", body)
    if (answer.status !== 200) return yield* refused(answer)
    if (answer.body["swapped"] === true) return yield* Console.log("swapped")
    const current = answer.body["value"]
    return yield* new ClusterControlError({ message: `not swapped: ${target.key} is ${typeof current === "string" ? JSON.stringify(current) : "absent"}` })
  })).pipe(Command.withDescription("Set KEY to VALUE if it holds --expected (or is absent without it); fails when it does not"))

export const kvCommand = Command.make("kv").pipe(
  Command.withDescription("Read and write a running cluster's key-value store; every operation takes effect at most once, retries included"),
  Command.withSubcommands([put, get, del, cas])
)
