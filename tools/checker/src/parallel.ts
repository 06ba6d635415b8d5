import { isLiveness } from "@parley/core/model"
import { Worker } from "node:worker_threads"
import type { FromWorker, ToWorker, WorkerSetup } from "./check-worker.ts"
import { BUSY, CONTROL_FIELDS, GrowthBarrier } from "./growth-barrier.ts"
import { LevelClaims } from "./level-claims.ts"
import { LevelShare } from "./level-share.ts"
import type { SegmentBuffers } from "./level-share.ts"
import { Level } from "./level.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { Search } from "./search.ts"
import type { SearchSummary } from "./search.ts"
import { StateGraph } from "./state-graph.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult, Path, SearchPosition, Violation } from "./types.ts"

/** A level smaller than this per thread is expanded by the main thread alone: sharing it would cost more. */
const STATES_PER_WORKER_TO_SPLIT = 512

/**
 * Breadth-first search on `workers` threads sharing one state table: the
 * main thread and `workers - 1` worker threads. The search goes level by
 * level as the sequential BFS does: the threads expand one level together,
 * taking chunks of it until none is left (see `LevelShare`), each writing
 * the new states it stores into its own segment of the next level. So the
 * first violation found is at the least depth, as with one thread, and the
 * distinct-state count is the same for any number of workers. Among
 * violations in the same level the one reported may differ from run to run.
 *
 * The worker threads start at once, and the main thread searches on its own
 * until they are ready and a level is wide enough to share: a thread takes
 * a tenth of a second or more to load the checker and the model's module,
 * which the main thread spends searching. A level kept as words (a
 * model with a codec) is read by any thread; without a codec a thread
 * rebuilds a state another stored by replaying its path.
 *
 * Checkpoints are taken by the main thread between levels, when no thread
 * is expanding, or where a stop left a level part-expanded. For liveness
 * each thread keeps the graph of the states it expanded, and the main
 * thread merges the parts for the cycle search once the search is done.
 */
export const checkParallel = async (
  source: ModelSource,
  options: CheckOptions,
  workers: number,
  { table = new StateTable(), statesPerWorkerToSplit = STATES_PER_WORKER_TO_SPLIT }: ParallelOptions = {}
): Promise<CheckResult> => {
  if (options.strategy !== "bfs") throw new RangeError("several workers search breadth first only")
  const startedAt = performance.now()
  const elapsedBefore = options.resume?.elapsedMs ?? 0
  const model = await loadModel(source)
  if (workers <= 1) return new Search(model, options, table).runInterruptibly()

  const control = new SharedArrayBuffer(CONTROL_FIELDS * 4)
  const busy = (threads: number) => Atomics.store(new Int32Array(control), BUSY, threads)
  const barrier = new GrowthBarrier(new Int32Array(control), table)
  const search = new Search(model, options, table, () => barrier.checkpoint(), false)
  const segments: SegmentBuffers = Array.from({ length: workers }, () => [Level.sharedBuffers(model.codec), Level.sharedBuffers(model.codec)] as const)
  const claims = LevelClaims.create(segments.length)
  const share = new LevelShare(search, segments, 0, claims, barrier, table)
  const setup = (segment: number): WorkerSetup => ({ source, options: forWorkers(options), buffers: table.buffers, control, claims: claims.buffer, segments, segment })
  const starting = Array.from({ length: workers - 1 }, (_, i) => startWorker(setup(i + 1)))
  // A thread that fails to start is reported when the search needs it; until then its rejection is not unhandled.
  starting.forEach((worker) => worker.catch(() => {}))
  const frontierBytes = () => model.codec === undefined ? undefined : segments.flat().reduce((sum, b) => sum + b.ids.byteLength + (b.words?.byteLength ?? 0), 0)
  try {
    busy(1)
    const shared = await searchUntilShared(search, share, () => claims.readyWorkers === starting.length, statesPerWorkerToSplit * workers, options)
    // Ended before the workers took part: the main thread's graph is the whole graph.
    if (shared === undefined) return withFrontier(search.finish(), frontierBytes())
    const pool = await Promise.all(starting)
    const summaries: Array<SearchSummary> = pool.map(() => emptySummary(search.summary().witnesses.length))
    /** Where the search stands with `pending` states of the level at `depth` still to expand and `found` states of the next stored. */
    const position = (depth: number, pending: () => Array<number>, found: ReadonlyArray<number>): SearchPosition => ({
      stateTable: table,
      snapshot: () => {
        const all = [search.summary(), ...summaries]
        return {
          depth,
          pending: pending(),
          next: found.some((size) => size > 0) ? share.idsOf(depth + 1, found) : [],
          generated: total(all),
          deepest: Math.max(...all.map((s) => s.deepest)),
          witnesses: firstWitnesses(all),
          elapsedMs: elapsedBefore + performance.now() - startedAt
        }
      }
    })
    let sizes: ReadonlyArray<number> = [shared.size, ...pool.map(() => 0)]
    let interrupted = false
    for (let depth = shared.depth; ; ) {
      claims.reset()
      busy(workers)
      const steal = model.codec !== undefined || depth === shared.depth
      const answers = pool.map((worker) => worker.ask({ _tag: "Expand", depth, sizes, steal }, "Expanded"))
      // The main thread takes its part while the workers take theirs.
      const mine = (await share.expandYielding(depth, sizes, steal)).size
      const results = await Promise.all(answers)
      results.forEach((result, i) => (summaries[i] = result.summary))
      const queued = [mine, ...results.map((result) => result.queued)]
      const all = [search.summary(), ...summaries]
      if (all.some((s) => s.interrupted)) {
        interrupted = true
        // A thread stopped by a bound or a violation meanwhile leaves a chunk part-expanded that is not kept: the last checkpoint stands.
        if (!all.some((s) => s.bounded || s.violation !== undefined)) {
          const levelSizes = sizes
          options.onStopped?.(position(depth, () => share.unexpandedIds(depth, levelSizes), queued))
        }
        break
      }
      depth++
      options.onProgress?.({
        distinctStates: table.size,
        generatedStates: total(all),
        queued: queued.reduce((a, b) => a + b, 0),
        depth,
        elapsedMs: elapsedBefore + performance.now() - startedAt,
        statesPerSec: rate(table.size, performance.now() - startedAt)
      })
      const done = queued.every((q) => q === 0)
      if (done || all.some((s) => s.violation !== undefined || s.bounded)) break
      sizes = queued
      const atLevelEnd = position(depth, () => share.idsOf(depth, queued), [])
      options.onLevel?.(atLevelEnd)
      if (options.signal?.aborted === true) {
        interrupted = true
        options.onStopped?.(atLevelEnd)
        break
      }
    }
    const all = [search.summary(), ...summaries]
    const exhaustive = !interrupted && !all.some((s) => s.violation !== undefined || s.bounded || s.interrupted)
    if (options.liveness === true && exhaustive) {
      const parts = [search.graphPart()!, ...(await Promise.all(pool.map((worker) => worker.ask({ _tag: "SendGraph" }, "Graph")))).map((answer) => answer.part!)]
      search.checkLiveness(StateGraph.merged(parts, table.idsHandedOut), table.idsHandedOut)
    }
    const names = model.properties.filter((p) => p.kind === "sometimes").map((p) => p.name)
    const liveness = options.liveness === true && !exhaustive ? model.properties.filter((p) => isLiveness(p.kind)).map((p) => p.name) : undefined
    return withFrontier(merge(names, search, summaries, table, startedAt - elapsedBefore, interrupted, liveness), frontierBytes())
  } finally {
    await Promise.all(starting.map((worker) => worker.then((w) => w.stop(), () => {})))
  }
}

export interface ParallelOptions {
  /** The table to search with: a checkpoint's, restored, when `CheckOptions.resume` is given. */
  readonly table?: StateTable
  /** A level smaller than this per thread is expanded by the main thread alone. */
  readonly statesPerWorkerToSplit?: number
}

/**
 * The main thread's own BFS, into its segment, until the workers are ready
 * and a level has `wide` states: that level's size and depth, or undefined
 * when the search ended (or was stopped) first. The event loop turns
 * between levels, so a stop asked for by a signal handler is seen. A
 * resumed search starts from its snapshot; a level it was stopped inside
 * is finished here, into the part of the next level it had found.
 */
const searchUntilShared = async (
  search: Search<unknown, unknown>,
  share: LevelShare<unknown>,
  workersReady: () => boolean,
  wide: number,
  options: CheckOptions
): Promise<{ readonly size: number; readonly depth: number } | undefined> => {
  const resume = options.resume
  let depth = resume?.depth ?? 0
  let partlyFound = false
  if (resume === undefined) {
    if (!search.seed(share.own(0))) return undefined
  } else {
    for (const id of resume.pending) share.own(depth).push(search.rebuild(id), id)
    for (const id of resume.next) share.own(depth + 1).push(search.rebuild(id), id)
    partlyFound = resume.next.length > 0
  }
  for (; share.own(depth).size > 0; depth++) {
    const level = share.own(depth)
    if (!partlyFound && level.size >= wide && workersReady()) return { size: level.size, depth }
    const next = share.own(depth + 1)
    if (!partlyFound) next.clear()
    partlyFound = false
    if (!search.expandLevel(level, depth, next)) return undefined
    if (next.size > 0) options.onLevel?.(search.atLevel(depth + 1, next))
    await new Promise((resolve) => setImmediate(resolve))
  }
  return undefined
}

const withFrontier = (result: CheckResult, frontierBytes: number | undefined): CheckResult =>
  frontierBytes === undefined ? result : { ...result, frontierBytes }

const merge = (
  names: ReadonlyArray<string>,
  search: Search<unknown, unknown>,
  summaries: ReadonlyArray<SearchSummary>,
  table: StateTable,
  startedAt: number,
  stoppedBetweenLevels: boolean,
  livenessCutShort: ReadonlyArray<string> | undefined
): CheckResult => {
  const { interrupted: _mainStopped, ...sequential } = search.result()
  const all = [search.summary(), ...summaries]
  const interrupted = stoppedBetweenLevels || all.some((s) => s.interrupted)
  const violations = all.flatMap((s) => (s.violation === undefined ? [] : [s.violation]))
  const violation: Violation | undefined = violations.sort(byPath)[0]
  const reached: Array<{ property: string; path: Path }> = []
  const unreached: Array<string> = []
  const witnesses = firstWitnesses(all)
  names.forEach((property, i) => {
    if (witnesses[i]! < 0) unreached.push(property)
    else reached.push({ property, path: table.pathTo(witnesses[i]!) })
  })
  const elapsedMs = performance.now() - startedAt
  return {
    ...sequential,
    result: violation !== undefined ? "violation" : interrupted || all.some((s) => s.bounded) ? "bounded" : "ok",
    ...(violation === undefined && interrupted ? { interrupted: true } : {}),
    ...(violation === undefined ? {} : { violation }),
    distinctStates: table.size,
    generatedStates: total(all),
    maxDepth: Math.max(...all.map((s) => s.deepest)),
    elapsedMs,
    statesPerSec: rate(table.size, elapsedMs),
    reached,
    unreached,
    tableBytes: table.bytes,
    ...(livenessCutShort === undefined ? {} : { livenessUnchecked: livenessCutShort })
  }
}

/** Shorter first, then in the order a one-thread BFS would meet them (initial state, then action indices). */
const byPath = (a: Violation, b: Violation): number => {
  const [p, q] = [a.path, b.path]
  if (p.actionIndices.length !== q.actionIndices.length) return p.actionIndices.length - q.actionIndices.length
  if (p.initIndex !== q.initIndex) return p.initIndex - q.initIndex
  for (let i = 0; i < p.actionIndices.length; i++) {
    if (p.actionIndices[i] !== q.actionIndices[i]) return p.actionIndices[i]! - q.actionIndices[i]!
  }
  return 0
}

const total = (summaries: ReadonlyArray<SearchSummary>): number => summaries.reduce((sum, s) => sum + s.generated, 0)

/** Per `sometimes` property, the least id any thread found a witness at (the one a BFS meets first), or -1. */
const firstWitnesses = (summaries: ReadonlyArray<SearchSummary>): Array<number> =>
  summaries[0]!.witnesses.map((_, i) => {
    const ids = summaries.map((s) => s.witnesses[i]!).filter((id) => id >= 0)
    return ids.length === 0 ? -1 : Math.min(...ids)
  })

const rate = (states: number, elapsedMs: number): number => (elapsedMs > 0 ? (states * 1000) / elapsedMs : 0)

const emptySummary = (witnesses: number): SearchSummary => ({ generated: 0, deepest: 0, bounded: false, interrupted: false, witnesses: Array(witnesses).fill(-1) })

/**
 * Functions and signals cannot cross into a worker; the main thread reports
 * progress, takes checkpoints, and stops the workers through `LevelClaims`.
 * A resumed search's counts so far are the main thread's to carry.
 */
const forWorkers = (options: CheckOptions): CheckOptions => {
  const { onProgress: _onProgress, onLevel: _onLevel, onStopped: _onStopped, signal: _signal, resume: _resume, ...rest } = options
  return rest
}

interface PoolWorker {
  ask<T extends FromWorker["_tag"]>(message: ToWorker, answer: T): Promise<Extract<FromWorker, { _tag: T }>>
  stop(): Promise<void>
}

const workerScript = new URL("./check-worker.ts", import.meta.url)
/** Resolved here rather than by the worker, which may start in any directory. */
const tsxLoader = import.meta.resolve("tsx")

/** A worker that runs TypeScript through tsx, as the repository runs everything, and answers one request at a time. */
const startWorker = (setup: WorkerSetup): Promise<PoolWorker> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData: setup, execArgv: ["--import", tsxLoader] })
    let pending: { readonly answer: string; resolve(message: FromWorker): void; reject(error: Error): void } | undefined
    const fail = (error: Error) => {
      if (pending !== undefined) pending.reject(error)
      else reject(error)
      pending = undefined
    }
    worker.on("error", fail)
    worker.on("exit", (code) => fail(new Error(`a checker worker exited with code ${code}`)))
    worker.on("message", (message: FromWorker) => {
      if (message._tag === "Ready") {
        resolve(pool)
        return
      }
      if (message._tag === "Failed") return fail(new Error(message.message))
      const waiting = pending
      pending = undefined
      if (waiting !== undefined && waiting.answer === message._tag) waiting.resolve(message)
      else if (waiting !== undefined) waiting.reject(new Error(`a checker worker answered ${message._tag}, not ${waiting.answer}`))
    })
    const pool: PoolWorker = {
      ask: (message, answer) =>
        new Promise((resolveAnswer, rejectAnswer) => {
          pending = { answer, resolve: resolveAnswer as (message: FromWorker) => void, reject: rejectAnswer }
          worker.postMessage(message)
        }),
      stop: async () => {
        worker.removeAllListeners("exit")
        await worker.terminate()
      }
    }
  })
