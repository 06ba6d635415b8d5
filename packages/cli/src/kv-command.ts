import { kvPath } from "@parley/kv"
import { callCluster, ClusterControlError, readClientToken, readCluster } from "@parley/runtime"
import { Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const node = Flag.String("node").pipe(Flag.optional, Flag.withDescription("Ask this node first (any node forwards to the leader)"))
const key = Argument.String("key")

/** Sends one request, with the cluster directory's client token, to the first node that answers; a refusal is an error with the server's own words. */
const call = (dir: string, first: string | undefined, method: string, path: string, body?: string) =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(readCluster(dir))
    const answer = yield* Effect.promise(() => callCluster(file.nodes, method, path, body, first, readClientToken(dir)))
    if (answer === undefined) return yield* new ClusterControlError({ message: `no node of the cluster in ${dir} answered` })
    return answer
  })

const refused = (answer: { readonly status: number; readonly body: Record<string, unknown> }) =>
  new ClusterControlError({ message: `${answer.status}: ${String(answer.body["error"] ?? JSON.stringify(answer.body))}` })

const put = Command.make("put", { key, value: Argument.String("value"), dir, node }, ({ key, value, dir, node }) =>
  Effect.gen(function*() {
    const answer = yield* call(dir, node._tag === "Some" ? node.value : undefined, "PUT", kvPath(key), value)
    if (answer.status !== 200) return yield* refused(answer)
    yield* Console.log("OK")
  })).pipe(Command.withDescription("Set KEY to VALUE; answers once the write is committed"))

const get = Command.make("get", { key, dir, node }, ({ key, dir, node }) =>
  Effect.gen(function*() {
    const answer = yield* call(dir, node._tag === "Some" ? node.value : undefined, "GET", kvPath(key))
    if (answer.status !== 200) return yield* refused(answer)
    yield* Console.log(String(answer.body["value"]))
  })).pipe(Command.withDescription("Print KEY's value (a linearizable read through the leader's log)"))

const del = Command.make("del", { key, dir, node }, ({ key, dir, node }) =>
  Effect.gen(function*() {
    const answer = yield* call(dir, node._tag === "Some" ? node.value : undefined, "DELETE", kvPath(key))
    if (answer.status !== 200) return yield* refused(answer)
    yield* Console.log(answer.body["deleted"] === true ? "deleted" : "absent")
  })).pipe(Command.withDescription("Delete KEY"))

export const kvCommand = Command.make("kv").pipe(
  Command.withDescription("Read and write a running cluster's key-value store"),
  Command.withSubcommands([put, get, del])
)
