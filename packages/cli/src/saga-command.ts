/**
 * `parley saga`: start and read sagas on a running saga cluster (`parley
 * cluster up saga`, or `saga-choreography`). Any node takes a
 * saga request and hands it to the node that keeps sagas; a start names its saga's id (made up here unless
 * given), so a retry after a lost answer starts it at most once.
 */
import { callExactlyOnce, clusterAccess, ClusterControlError, freshSession, readCluster } from "@parley/runtime"
import type { ApiAnswer } from "@parley/runtime"
import { ChoreographyReport, SagaReport, SagaSummary } from "@parley/saga"
import { Console, Effect, Option, Result, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { randomBytes } from "node:crypto"

const dir = Flag.String("dir").pipe(Flag.withDefault(".parley/cluster"), Flag.withDescription("The cluster's directory"))
const timeout = Flag.Int("timeout").pipe(
  Flag.withDefault(15_000),
  Flag.withDescription("Milliseconds to keep trying while no node answers or the orchestrator is down")
)
const json = Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print the answer as JSON"))

const call = (target: { readonly dir: string; readonly timeout: number }, method: string, path: string, body?: string) =>
  Effect.gen(function*() {
    if (target.timeout < 1) return yield* new ClusterControlError({ message: `--timeout must be at least 1 ms, got ${target.timeout}` })
    const file = yield* Effect.fromResult(readCluster(target.dir))
    const access = yield* Effect.fromResult(clusterAccess(target.dir))
    const options = { session: freshSession("saga"), deadlineMs: target.timeout, ...access }
    const answer = yield* Effect.promise(() => callExactlyOnce(file.nodes, method, path, body, options))
    if (answer === undefined) return yield* new ClusterControlError({ message: `no node of the cluster in ${target.dir} answered within ${target.timeout} ms` })
    return answer
  })

const refused = (answer: ApiAnswer) =>
  new ClusterControlError({ message: `${answer.status}: ${String(answer.body["error"] ?? JSON.stringify(answer.body))}` })

/** A 200 answer decoded with `schema`; anything else is an error in the server's words, or naming what does not fit. */
const decoded = <A>(schema: Schema.Codec<A, unknown>, what: string) => {
  const decode = Schema.decodeUnknownResult(schema)
  return (answer: ApiAnswer) => {
    if (answer.status !== 200) return Effect.fail(refused(answer))
    const result = decode(answer.body)
    return Result.isSuccess(result)
      ? Effect.succeed(result.success)
      : Effect.fail(new ClusterControlError({ message: `the cluster's answer is not ${what}: ${result.failure.message}` }))
  }
}

/** Either cluster's saga: the orchestrator's, step by step; the order service's, with the events that came back to it. */
const AnyReport = Schema.Union([SagaReport, ChoreographyReport])
type AnyReport = typeof AnyReport.Type

const report = decoded(AnyReport, "a saga")
const sagaList = decoded(Schema.Struct({ sagas: Schema.Array(SagaSummary) }), "a list of sagas")

/** A saga as a table: each step, its service and its state, then the log; a choreographed one as its state and events. */
export const formatReport = (saga: AnyReport): string => {
  if (!("steps" in saga)) return [`saga ${saga.id}: ${saga.state}`, `events at the order service: ${saga.events.join(", ") || "(none)"}`].join("\n")
  const rows = [["step", "service", "action", "compensation", "state"], ...saga.steps.map((s) => [`T${s.step}`, s.service, s.action, s.compensation, s.state])]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const table = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd())
  return [`saga ${saga.id}: ${saga.state}`, ...table, `log: ${saga.log.join(", ") || "(empty)"}`].join("\n")
}

const ended = (saga: AnyReport) => saga.state === "completed" || saga.state === "compensated"

const show = (target: { readonly dir: string; readonly timeout: number }, id: string) =>
  call(target, "GET", `/v1/sagas/${encodeURIComponent(id)}`).pipe(Effect.flatMap(report))

/** Polls the saga until it has ended or the timeout passes, and gives its last state. */
const awaitEnd = (target: { readonly dir: string; readonly timeout: number }, id: string) =>
  Effect.gen(function*() {
    const deadline = Date.now() + target.timeout
    while (true) {
      const saga = yield* show(target, id)
      if (ended(saga) || Date.now() > deadline) return saga
      yield* Effect.sleep(100)
    }
  })

const start = Command.make(
  "start",
  {
    id: Flag.String("id").pipe(Flag.optional, Flag.withDescription("The saga's id (letters, digits, . _ -); starting an id that exists starts nothing")),
    wait: Flag.Boolean("wait").pipe(Flag.withDefault(false), Flag.withDescription("Wait until the saga has ended and show it")),
    dir,
    timeout,
    json
  },
  (target) =>
    Effect.gen(function*() {
      const id = Option.getOrElse(target.id, () => `saga-${randomBytes(4).toString("hex")}`)
      const answer = yield* call(target, "POST", "/v1/sagas", JSON.stringify({ id }))
      if (answer.status !== 201 && answer.status !== 200) return yield* refused(answer)
      if (!target.wait) {
        return yield* Console.log(target.json ? JSON.stringify(answer.body) : `${id} ${answer.status === 201 ? "started" : "had started already"}`)
      }
      const saga = yield* awaitEnd(target, id)
      yield* Console.log(target.json ? JSON.stringify(saga) : formatReport(saga))
      if (!ended(saga)) return yield* new ClusterControlError({ message: `saga ${id} had not ended within ${target.timeout} ms` })
    })
).pipe(Command.withDescription("Start a saga; with --wait, show it once it has completed or been compensated"))

const showCommand = Command.make("show", { id: Argument.String("id"), dir, timeout, json }, (target) =>
  show(target, target.id).pipe(Effect.flatMap((saga) => Console.log(target.json ? JSON.stringify(saga) : formatReport(saga))))).pipe(
    Command.withDescription("Each step of saga ID: its service and its state (pending, running, done, refused, compensating, compensated, not run)")
  )

const list = Command.make("list", { dir, timeout, json }, (target) =>
  Effect.gen(function*() {
    const { sagas } = yield* call(target, "GET", "/v1/sagas").pipe(Effect.flatMap(sagaList))
    yield* Console.log(target.json ? JSON.stringify({ sagas }) : sagas.map((saga) => `${saga.id}  ${saga.state}`).join("\n") || "no sagas")
  })).pipe(Command.withDescription("Every saga the orchestrator has, with its state"))

export const sagaCommand = Command.make("saga").pipe(
  Command.withDescription("Start and show sagas on a running saga or saga-choreography cluster (parley cluster up saga)"),
  Command.withSubcommands([start, showCommand, list])
)
