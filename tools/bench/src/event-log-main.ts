/**
 * `npm run bench:event-log -- [BATCHES] [MODULE]`: what the event log costs
 * a Raft leader per step, in process: a 3-node Raft cluster's reducers
 * (messages delivered at once, no network, no storage) elect n1, then n1
 * takes BATCHES batches of 32 client writes, each batch followed by its
 * followers' answers (a batch of their acks); n1's every step is recorded
 * in its event log and each batch flushed, as its node loop does. The same
 * run is timed without a log and with one, round after round, so the disk
 * and the machine's changes of pace fall on both alike; the difference per
 * logged step is the log's cost (encoding, durable digest, write(2)).
 * MODULE: another build's event-log.ts to time instead (its `EventLog`),
 * to compare before and after a change. Default: 300 batches, 7 rounds.
 */
import type { Actor, NodeContext, NodeId, Output, Step } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { defaultEventLog, ensureCredentials, EventLog, loopbackNodes, nodeConfigLayer, takeInput } from "@parley/runtime"
import type { StepInput, StepLog } from "@parley/runtime"
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

type AnyActor = Actor<unknown, unknown, unknown, unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>

const batches = Number(process.argv[2] ?? 300)
const module = process.argv[3]
const rounds = 7
const batchSize = 32
const ids: ReadonlyArray<NodeId> = ["n1", "n2", "n3"]

const eventLog: typeof EventLog = module === undefined ? EventLog : (await import(resolve(module)) as { readonly EventLog: typeof EventLog }).EventLog

const dir = mkdtempSync(join(tmpdir(), "parley-bench-event-log-"))
const clusterFile = join(dir, "cluster.json")
writeFileSync(clusterFile, JSON.stringify({ spec: "raft", nodes: loopbackNodes(41_000, 3) }))

/** n1's log in `events`, opened in `scope`. */
const openLog = (events: string, actor: AnyActor, context: NodeContext, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const config = nodeConfigLayer({ clusterFile, id: "n1", spec: "raft", dataDir: dir, logLevel: "Warn", hostedSpecs: [raftHosted] })
    const services = yield* Layer.buildWithScope(eventLog.files(events, defaultEventLog).pipe(Layer.provide(config)), scope).pipe(Effect.orDie)
    return yield* Context.get(services, eventLog).open(actor, context).pipe(Scope.provide(scope))
  })

const noLog: StepLog = { record: () => {}, flush: () => {}, settle: () => {} }

/** One run of the workload; n1's steps go to `log` (n1 is `actors[0]`). Gives n1's step count. */
const workload = (actors: ReadonlyArray<AnyActor>, log: StepLog): number => {
  const contexts = ids.map((self): NodeContext => ({ self, nodes: ids }))
  const states = actors.map((actor, at) => actor.init(contexts[at]!).state)
  let steps = 0
  let inboxes: Array<Array<StepInput>> = ids.map(() => [])
  const take = (at: number, input: Extract<StepInput, { _tag: "Message" | "Timer" | "Request" }>): void => {
    const step: AnyStep = takeInput(actors[at]!, states[at], input)
    states[at] = step.state
    if (at === 0) {
      log.record(input, step)
      steps++
    }
    for (const output of step.out as ReadonlyArray<Output<unknown, unknown, unknown>>) {
      if (output._tag === "Send") inboxes[ids.indexOf(output.to)]!.push({ _tag: "Message", from: ids[at]!, message: output.message })
    }
  }
  /** Every node takes what waits for it, as a batch; n1's log ends the batch. */
  const deliver = (): void => {
    const waiting = inboxes
    inboxes = ids.map(() => [])
    for (const [at, inputs] of waiting.entries()) {
      for (const input of inputs) if (input._tag === "Message") take(at, input)
      if (at === 0 && inputs.length > 0) log.flush()
    }
  }
  take(0, { _tag: "Timer", timer: "election" })
  log.flush()
  for (let round = 0; round < 10; round++) deliver()
  for (let batch = 0; batch < batches; batch++) {
    for (let i = 0; i < batchSize; i++) {
      const seq = batch * batchSize + i + 1
      take(0, { _tag: "Request", client: `c${i}`, request: { seq, op: { _tag: "Put", key: `k${i}`, value: "v".repeat(100) }, at: 1_765_000_000_000 + seq } })
    }
    log.flush()
    deliver()
    deliver()
  }
  return steps
}

const options = Schema.decodeUnknownSync(raftHosted.options)({})
const actorsOf = (): ReadonlyArray<AnyActor> => ids.map(() => raftHosted.actor(ids, options, undefined))

const timed = (run: () => number): { readonly ms: number; readonly steps: number } => {
  const start = performance.now()
  const steps = run()
  return { ms: performance.now() - start, steps }
}

await Effect.runPromise(Effect.orDie(ensureCredentials(dir)))
const without: Array<number> = []
const withLog: Array<number> = []
let steps = 0
let bytes = 0
try {
  for (let round = 0; round < rounds; round++) {
    without.push(timed(() => workload(actorsOf(), noLog)).ms)
    const events = join(dir, `events-${round}`)
    const actors = actorsOf()
    const logged = await Effect.runPromise(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const log = yield* openLog(events, actors[0]!, { self: "n1", nodes: ids }, scope)
      const result = timed(() => workload(actors, log))
      yield* Scope.close(scope, Exit.void)
      return result
    }))
    withLog.push(logged.ms)
    steps = logged.steps
    bytes = statSync(join(events, "n1.events.1.jsonl")).size
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const logMicros = ((median(withLog) - median(without)) * 1000) / steps
console.log(JSON.stringify({
  bench: "event-log",
  module: module ?? "@parley/runtime",
  batches,
  batchSize,
  leaderSteps: steps,
  withoutLogMs: Number(median(without).toFixed(1)),
  withLogMs: Number(median(withLog).toFixed(1)),
  logMicrosPerStep: Number(logMicros.toFixed(2)),
  logBytesPerStep: Math.round(bytes / steps)
}))
