/**
 * `npm run bench:event-log -- [BATCHES] [WRITES] [NODE] [RUNTIME]`: what
 * the event log costs a Raft node per step, in process: a 3-node Raft
 * cluster's reducers (no network, no storage) elect n1, then n1 takes
 * BATCHES batches of WRITES client writes (32 by default; 1 is a leader
 * under one writer), each batch followed by its followers' answers (a batch
 * of their acks); NODE's (n1, the leader, by default; n2 is a follower)
 * every step is recorded in its event log and each batch ended as its node
 * loop ends it (`flush` after a request batch, `settle` after the others). Every message crosses a wire as the TCP transport's does:
 * made a frame's text, a Buffer, and read back and decoded with the
 * spec's Schemas, so what the log shares with the wire (a sent message's
 * text, a received one's) is paid by both runs, as in a node. The same
 * run is timed without a log and with one, round after round, so the
 * disk and the machine's changes of pace fall on both alike; the time is
 * the process's CPU (user and system: the write(2) and V8's helper
 * threads count), so a shared machine's other work does not; the
 * difference per logged step is the log's cost (encoding, durable digest,
 * write(2), and the garbage they leave), and beside it the time spent in
 * the log's calls alone (the median round's, by the clock: steadier, as
 * it leaves out the rest of the run, and short of the garbage).
 * RUNTIME: another build's `packages/runtime/src` directory to time
 * instead (its `EventLog` and `peerFrameJson`), to compare before and
 * after a change: put it beside this one so that its imports resolve, as
 * `git archive COMMIT packages/runtime/src | tar -x -C /tmp/base && mv
 * /tmp/base/packages/runtime/src packages/runtime/.base-src`. Default: 300
 * batches of 32 writes at n1, 11 rounds.
 */
import type { Actor, NodeContext, NodeId, Output, Step } from "@parley/core"
import { raftHosted } from "@parley/raft"
import * as runtime from "@parley/runtime"
import type { PeerFrame, StepInput, StepLog } from "@parley/runtime"
import { Context, Effect, Exit, Layer, Result, Schema, Scope } from "effect"
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

type AnyActor = Actor<unknown, unknown, unknown, unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>
type MessageInput = Extract<StepInput, { _tag: "Message" }>

const batches = Number(process.argv[2] ?? 300)
const batchSize = Number(process.argv[3] ?? 32)
const loggedNode = Math.max(0, ["n1", "n2", "n3"].indexOf(process.argv[4] ?? "n1"))
const runtimeDir = process.argv[5]
const rounds = 11
const ids: ReadonlyArray<NodeId> = ["n1", "n2", "n3"]

/** The build under test: this one, or the runtime sources at `runtimeDir`. */
const build: Pick<typeof runtime, "EventLog" | "peerFrameJson"> = runtimeDir === undefined
  ? runtime
  : await import(resolve(runtimeDir, "index.ts")) as Pick<typeof runtime, "EventLog" | "peerFrameJson">
const eventLog = build.EventLog
const frames = build.peerFrameJson(raftHosted as unknown as Parameters<typeof build.peerFrameJson>[0])
/** A frame's text read back as the build's TCP transport reads it: a build from before `read` parsed it whole and decoded that. */
const readFrame = (text: string): Result.Result<PeerFrame, string> =>
  typeof frames.read === "function" ? frames.read(text) : frames.decode(JSON.parse(text))

const dir = mkdtempSync(join(tmpdir(), "parley-bench-event-log-"))
const clusterFile = join(dir, "cluster.json")
writeFileSync(clusterFile, JSON.stringify({ spec: "raft", nodes: runtime.loopbackNodes(41_000, 3) }))

/** The logged node's log in `events`, opened in `scope`. */
const openLog = (events: string, actor: AnyActor, context: NodeContext, scope: Scope.Scope) =>
  Effect.gen(function*() {
    const config = runtime.nodeConfigLayer({ clusterFile, id: ids[loggedNode]!, spec: "raft", dataDir: dir, logLevel: "Warn", hostedSpecs: [raftHosted] })
    const services = yield* Layer.buildWithScope(eventLog.files(events, runtime.defaultEventLog).pipe(Layer.provide(config)), scope).pipe(Effect.orDie)
    return yield* Context.get(services, eventLog).open(actor, context).pipe(Scope.provide(scope))
  })

const noLog: StepLog = { record: () => {}, flush: () => {}, settle: () => {} }

/** `log`, its calls timed (wall clock, on this thread): the log's own time, without the garbage it leaves for later. */
const timedLog = (log: StepLog): { readonly log: StepLog; readonly ms: () => number } => {
  let ms = 0
  const time = (call: () => void): void => {
    const start = performance.now()
    call()
    ms += performance.now() - start
  }
  return {
    log: {
      record: (input, step) => time(() => log.record(input, step)),
      flush: () => time(() => log.flush()),
      settle: () => time(() => log.settle())
    },
    ms: () => ms
  }
}

/** A message from `from` across the wire: the frame's text as the sender makes it, its bytes, and the frame the receiver reads back. */
const across = (from: NodeId, message: unknown): MessageInput => {
  const bytes = Buffer.from(frames.text({ _tag: "Message", body: message } as PeerFrame), "utf8")
  const frame = readFrame(bytes.toString("utf8"))
  if (Result.isFailure(frame) || frame.success._tag !== "Message") throw new Error(`a frame did not read back: ${JSON.stringify(frame)}`)
  return { _tag: "Message", from, message: frame.success.body }
}

/** One run of the workload; the logged node's steps go to `log` (n1 is `actors[0]`). Gives its step count. */
const workload = (actors: ReadonlyArray<AnyActor>, log: StepLog): number => {
  const contexts = ids.map((self): NodeContext => ({ self, nodes: ids }))
  const states = actors.map((actor, at) => actor.init(contexts[at]!).state)
  let steps = 0
  let inboxes: Array<Array<MessageInput>> = ids.map(() => [])
  const take = (at: number, input: Extract<StepInput, { _tag: "Message" | "Timer" | "Request" }>): void => {
    const step: AnyStep = takeInput(actors[at]!, states[at], input)
    states[at] = step.state
    if (at === loggedNode) {
      log.record(input, step)
      steps++
    }
    for (const output of step.out as ReadonlyArray<Output<unknown, unknown, unknown>>) {
      if (output._tag === "Send") inboxes[ids.indexOf(output.to)]!.push(across(ids[at]!, output.message))
    }
  }
  /** Every node takes what waits for it, as a batch; the logged node's log ends the batch as the loop does one of messages alone. */
  const deliver = (): void => {
    const waiting = inboxes
    inboxes = ids.map(() => [])
    for (const [at, inputs] of waiting.entries()) {
      for (const input of inputs) take(at, input)
      if (at === loggedNode && inputs.length > 0) log.settle()
    }
  }
  take(0, { _tag: "Timer", timer: "election" })
  if (loggedNode === 0) log.flush()
  for (let round = 0; round < 10; round++) deliver()
  for (let batch = 0; batch < batches; batch++) {
    for (let i = 0; i < batchSize; i++) {
      const seq = batch * batchSize + i + 1
      take(0, { _tag: "Request", client: `c${i}`, request: { seq, op: { _tag: "Put", key: `k${i}`, value: "v".repeat(100) }, at: 1_765_000_000_000 + seq } })
    }
    if (loggedNode === 0) log.flush()
    deliver()
    deliver()
  }
  return steps
}
const takeInput = runtime.takeInput

const options = Schema.decodeUnknownSync(raftHosted.options)({})
const actorsOf = (): ReadonlyArray<AnyActor> => ids.map(() => raftHosted.actor(ids, options, undefined))

/** Milliseconds of the process's CPU that `run` took, and the logged node's steps. */
const timed = (run: () => number): { readonly ms: number; readonly steps: number } => {
  const start = process.cpuUsage()
  const steps = run()
  const used = process.cpuUsage(start)
  return { ms: (used.user + used.system) / 1000, steps }
}

await Effect.runPromise(Effect.orDie(runtime.ensureCredentials(dir)))
const without: Array<number> = []
const withLog: Array<number> = []
const inLog: Array<number> = []
let steps = 0
let bytes = 0
try {
  for (let round = 0; round < rounds; round++) {
    without.push(timed(() => workload(actorsOf(), noLog)).ms)
    const events = join(dir, `events-${round}`)
    const actors = actorsOf()
    const logged = await Effect.runPromise(Effect.gen(function*() {
      const scope = yield* Scope.make()
      const log = timedLog(yield* openLog(events, actors[loggedNode]!, { self: ids[loggedNode]!, nodes: ids }, scope))
      const result = timed(() => workload(actors, log.log))
      yield* Scope.close(scope, Exit.void)
      return { ...result, inLog: log.ms() }
    }))
    withLog.push(logged.ms)
    inLog.push(logged.inLog)
    steps = logged.steps
    bytes = statSync(join(events, `${ids[loggedNode]}.events.1.jsonl`)).size
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
/** The log's cost a step in µs by the median round's difference, and by the quartiles' (how far the rounds spread). */
const perStep = (ms: number): number => Number(((ms * 1000) / steps).toFixed(2))
const differences = withLog.map((ms, round) => ms - without[round]!).sort((a, b) => a - b)
console.log(JSON.stringify({
  bench: "event-log",
  runtime: runtimeDir ?? "@parley/runtime",
  batches,
  batchSize,
  node: ids[loggedNode],
  rounds,
  steps,
  withoutLogCpuMs: Number(median(without).toFixed(1)),
  withLogCpuMs: Number(median(withLog).toFixed(1)),
  logMicrosPerStep: perStep(median(withLog) - median(without)),
  roundMicrosPerStep: [perStep(differences[Math.floor(rounds / 4)]!), perStep(median(differences)), perStep(differences[Math.floor((3 * rounds) / 4)]!)],
  inLogMicrosPerStep: perStep(median(inLog)),
  logBytesPerStep: Math.round(bytes / steps)
}))
