import { Worker } from "node:worker_threads"
import { BUSY, CONTROL_FIELDS } from "./growth-barrier.ts"
import type { FromWorker, ToWorker, WorkerSetup } from "./check-worker.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { Level, Search } from "./search.ts"
import type { SearchSummary } from "./search.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult, Path, Violation } from "./types.ts"

/** A level smaller than this per worker is expanded on the main thread: starting workers would cost more. */
const STATES_PER_WORKER_TO_SPLIT = 512
/** A worker holding this much more than its share of the next level gives the surplus to the one holding least. */
const IMBALANCE = 1.25

/**
 * Breadth-first search on `workers` threads sharing one state table. The
 * search goes level by level as the sequential BFS does: each worker expands
 * its share of a level, the next level being the new states each of them
 * stored; at the end of a level the main thread evens out the shares. So the
 * first violation found is at the least depth, as with one thread, and the
 * distinct-state count is the same for any number of workers. Among
 * violations in the same level the one reported may differ from run to run.
 *
 * The first levels run on the main thread until one is wide enough to share.
 * A worker gets its share as state ids and rebuilds each state by replaying
 * its path, so states never cross threads.
 */
export const checkParallel = async (
  source: ModelSource,
  options: CheckOptions,
  workers: number,
  statesPerWorkerToSplit = STATES_PER_WORKER_TO_SPLIT
): Promise<CheckResult> => {
  if (options.strategy !== "bfs" || options.liveness === true || options.resume !== undefined) {
    throw new RangeError("several workers search breadth first only, and neither for liveness nor from a checkpoint")
  }
  const startedAt = performance.now()
  const model = await loadModel(source)
  const table = new StateTable()
  const search = new Search(model, options, table)
  let level = new Level<unknown>()
  let depth = 0
  const stopped = () => search.summary().violation !== undefined || search.summary().bounded
  if (search.seed(level)) {
    while (level.size > 0 && level.size < statesPerWorkerToSplit * workers) {
      const next = new Level<unknown>()
      if (!search.expandLevel(level, depth, next)) break
      level = next
      depth++
    }
  }
  if (level.size === 0 || stopped() || workers <= 1) {
    return workers <= 1 && level.size > 0 && !stopped() ? finishOnMainThread(search, level, depth) : search.result()
  }

  table.flush()
  const control = new SharedArrayBuffer(CONTROL_FIELDS * 4)
  const setup: WorkerSetup = { source, options: withoutCallbacks(options), buffers: table.buffers, control }
  const pool = await Promise.all(Array.from({ length: workers }, () => startWorker(setup)))
  try {
    const summaries: Array<SearchSummary> = pool.map(() => emptySummary(search.summary().witnesses.length))
    let adopt: Array<Array<number>> = pool.map((_, i) => level.ids.filter((_, j) => j % workers === i))
    for (;;) {
      Atomics.store(new Int32Array(control), BUSY, workers)
      const results = await Promise.all(pool.map((worker, i) => worker.ask({ _tag: "Expand", depth, adopt: adopt[i]! }, "Expanded")))
      results.forEach((result, i) => (summaries[i] = result.summary))
      const queued = results.map((result) => result.queued)
      depth++
      options.onProgress?.({
        distinctStates: table.size,
        generatedStates: total(summaries, search.summary()),
        queued: queued.reduce((a, b) => a + b, 0),
        depth,
        elapsedMs: performance.now() - startedAt,
        statesPerSec: rate(table.size, performance.now() - startedAt)
      })
      if (summaries.some((s) => s.violation !== undefined || s.bounded) || queued.every((q) => q === 0)) break
      adopt = await rebalance(pool, queued, statesPerWorkerToSplit)
    }
    return merge(model.properties.filter((p) => p.kind === "sometimes").map((p) => p.name), search, summaries, table, startedAt)
  } finally {
    await Promise.all(pool.map((worker) => worker.stop()))
  }
}

const finishOnMainThread = (search: Search<unknown, unknown>, first: Level<unknown>, firstDepth: number): CheckResult => {
  let level = first
  for (let depth = firstDepth; level.size > 0; depth++) {
    const next = new Level<unknown>()
    if (!search.expandLevel(level, depth, next)) break
    level = next
  }
  return search.result()
}

/** The donor with most gives the recipient with least half the difference, when the difference matters. */
const rebalance = async (
  pool: ReadonlyArray<PoolWorker>,
  queued: ReadonlyArray<number>,
  worthMoving: number
): Promise<Array<Array<number>>> => {
  const adopt: Array<Array<number>> = pool.map(() => [])
  const mean = queued.reduce((a, b) => a + b, 0) / queued.length
  const most = queued.indexOf(Math.max(...queued))
  const least = queued.indexOf(Math.min(...queued))
  if (queued[most]! <= mean * IMBALANCE || mean < worthMoving) return adopt
  const count = Math.floor((queued[most]! - queued[least]!) / 2)
  const given = await pool[most]!.ask({ _tag: "Give", count }, "Given")
  adopt[least] = [...given.ids]
  return adopt
}

const merge = (
  names: ReadonlyArray<string>,
  search: Search<unknown, unknown>,
  summaries: ReadonlyArray<SearchSummary>, table: StateTable, startedAt: number): CheckResult => {
  const sequential = search.result()
  const all = [search.summary(), ...summaries]
  const violations = all.flatMap((s) => (s.violation === undefined ? [] : [s.violation]))
  const violation: Violation | undefined = violations.sort(byPath)[0]
  const reached: Array<{ property: string; path: Path }> = []
  const unreached: Array<string> = []
  names.forEach((property, i) => {
    const ids = all.map((s) => s.witnesses[i]!).filter((id) => id >= 0)
    if (ids.length === 0) unreached.push(property)
    else reached.push({ property, path: table.pathTo(Math.min(...ids)) })
  })
  const elapsedMs = performance.now() - startedAt
  return {
    ...sequential,
    result: violation !== undefined ? "violation" : all.some((s) => s.bounded) ? "bounded" : "ok",
    ...(violation === undefined ? {} : { violation }),
    distinctStates: table.size,
    generatedStates: total(summaries, search.summary()),
    maxDepth: Math.max(...all.map((s) => s.deepest)),
    elapsedMs,
    statesPerSec: rate(table.size, elapsedMs),
    reached,
    unreached,
    tableBytes: table.bytes
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

const total = (summaries: ReadonlyArray<SearchSummary>, main: SearchSummary): number =>
  summaries.reduce((sum, s) => sum + s.generated, main.generated)

const rate = (states: number, elapsedMs: number): number => (elapsedMs > 0 ? (states * 1000) / elapsedMs : 0)

const emptySummary = (witnesses: number): SearchSummary => ({ generated: 0, deepest: 0, bounded: false, witnesses: Array(witnesses).fill(-1) })

/** Functions cannot cross into a worker; progress is reported by the main thread. */
const withoutCallbacks = (options: CheckOptions): CheckOptions => {
  const { onProgress: _onProgress, onLevel: _onLevel, ...rest } = options
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
