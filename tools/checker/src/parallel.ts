import { isLiveness } from "@parley/core/model"
import type { Model } from "@parley/core/model"
import { BreadthFirst } from "./bfs.ts"
import type { WorkerSetup } from "./check-worker.ts"
import { Exploration, rate } from "./exploration.ts"
import type { SearchSummary } from "./exploration.ts"
import { BUSY, CONTROL_FIELDS, GrowthBarrier } from "./growth-barrier.ts"
import { LevelClaims } from "./level-claims.ts"
import { LevelShare } from "./level-share.ts"
import type { SegmentBuffers } from "./level-share.ts"
import { Level } from "./level.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { assertValidOptions } from "./options.ts"
import { emptySummary, firstWitnesses, merge, total } from "./parallel-result.ts"
import { Search } from "./search.ts"
import { StateGraph } from "./state-graph.ts"
import { StateTable } from "./state-table.ts"
import { checkSwarm } from "./swarm.ts"
import type { ThreadFigures } from "./thread-figures.ts"
import type { CheckOptions, CheckResult, SearchPosition } from "./types.ts"
import { startWorker } from "./worker-pool.ts"
import type { PoolWorker } from "./worker-pool.ts"

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
 * model with a codec) is read by any thread; without a codec, or with
 * thread-local words (an actor system's, see `SystemStore`), a state
 * belongs to the thread that stored it, which expands it unless it is
 * still waiting when another thread has run out of its own: that one
 * rebuilds it by replaying its path (see `PathRebuilder`, about one step a
 * state) and owns what it stores from it, so the threads' shares of a level
 * even out by themselves. `perThread` in the result says how evenly.
 *
 * With `strategy: "sim"` it is a swarm of random walks instead, one
 * walker a thread (see `swarm.ts`).
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
  { table = new StateTable(), statesPerWorkerToSplit = STATES_PER_WORKER_TO_SPLIT, model: built, waitForWorkers = false }: ParallelOptions = {}
): Promise<CheckResult> => {
  if (options.strategy === "sim" && workers > 1) return checkSwarm(source, options, workers, built)
  const startedAt = performance.now()
  const model = built ?? await loadModel(source)
  assertValidOptions(options, { model, workers })
  if (workers <= 1) return new Search(model, options, table).runInterruptibly()
  const threads = new Threads(source, model, options, table, workers, startedAt)
  try {
    return await threads.search(statesPerWorkerToSplit * workers, waitForWorkers)
  } finally {
    await threads.stop()
  }
}

/**
 * The threads of one parallel search and what they share: the table, the
 * control words of the growth barrier, the levels' segments and the claims
 * on them. The main thread's own BFS writes segment 0.
 */
class Threads {
  private readonly control = new SharedArrayBuffer(CONTROL_FIELDS * 4)
  private readonly explored: Exploration<unknown, unknown>
  private readonly bfs: BreadthFirst<unknown, unknown>
  private readonly segments: SegmentBuffers
  private readonly claims: LevelClaims
  private readonly share: LevelShare<unknown>
  private readonly starting: ReadonlyArray<Promise<PoolWorker>>
  /** Why a worker thread could not start, once one has failed to. */
  private startFailure: unknown = undefined
  /** Per worker, what it reported of the last level it expanded. */
  private summaries: Array<SearchSummary> = []
  /** Per worker, its figures as of the last level it expanded. */
  private figures: Array<ThreadFigures> = []
  /** Per thread, the main thread's first, the time it waited at the end of shared levels. */
  private waitMs: Array<number> = []
  private readonly elapsedBefore: number

  constructor(
    source: ModelSource,
    private readonly model: Model<unknown, unknown>,
    private readonly options: CheckOptions,
    private readonly table: StateTable,
    workers: number,
    private readonly startedAt: number
  ) {
    this.elapsedBefore = options.resume?.elapsedMs ?? 0
    const barrier = new GrowthBarrier(new Int32Array(this.control), table)
    this.explored = new Exploration(model, options, table, () => barrier.checkpoint())
    this.bfs = new BreadthFirst(this.explored)
    this.segments = Array.from({ length: workers }, () => [Level.sharedBuffers(model.codec), Level.sharedBuffers(model.codec)] as const)
    this.claims = LevelClaims.create(this.segments.length)
    this.share = new LevelShare(this.bfs, this.segments, 0, this.claims, barrier, table)
    const setup = (segment: number): WorkerSetup => ({
      source,
      options: forWorkers(options),
      buffers: table.buffers,
      control: this.control,
      claims: this.claims.buffer,
      segments: this.segments,
      segment
    })
    this.starting = Array.from({ length: workers - 1 }, (_, i) => startWorker(setup(i + 1)))
    // A thread that fails to start is reported at the next level's start (see `workersReady`), never searched around.
    this.starting.forEach((worker) => worker.catch((error: unknown) => {
      this.startFailure ??= error
    }))
  }

  /** The search: the main thread's alone until a level has `wide` states, then every thread's. */
  async search(wide: number, waitForWorkers: boolean): Promise<CheckResult> {
    if (waitForWorkers) {
      await Promise.all(this.starting).catch((error: unknown) => {
        throw new WorkerStartError(this.starting.length + 1, error)
      })
    }
    this.busy(1)
    const shared = await searchUntilShared(this.bfs, this.share, () => this.workersReady(), wide, this.options)
    // Ended before the workers took part: the main thread's graph is the whole graph.
    if (shared === undefined) {
      this.workersReady()
      return withFrontier(this.bfs.finish(), this.frontierBytes())
    }
    const pool = await Promise.all(this.starting)
    this.summaries = pool.map(() => emptySummary(this.explored.summary().witnesses.length))
    const interrupted = await this.expandTogether(pool, shared)
    const exhaustive = !interrupted && !this.all().some((s) => s.violation !== undefined || s.bounded || s.interrupted)
    if (this.options.liveness === true && exhaustive) await this.checkLiveness(pool)
    const names = this.model.properties.filter((p) => p.kind === "sometimes").map((p) => p.name)
    const liveness = this.options.liveness === true && !exhaustive ? this.model.properties.filter((p) => isLiveness(p.kind)).map((p) => p.name) : undefined
    const result = merge(names, this.explored, this.summaries, this.table, this.startedAt - this.elapsedBefore, interrupted, liveness)
    return { ...withFrontier(result, this.frontierBytes()), perThread: this.perThread() }
  }

  /**
   * Every thread expands the levels from `shared` on, one at a time, until
   * the search is done, a thread finds a violation or a bound, or a stop
   * is asked for; whether it was stopped.
   */
  private async expandTogether(pool: ReadonlyArray<PoolWorker>, shared: { readonly size: number; readonly depth: number }): Promise<boolean> {
    const { options } = this
    let sizes: ReadonlyArray<number> = [shared.size, ...pool.map(() => 0)]
    for (let depth = shared.depth; ; ) {
      const queued = await this.expandLevel(pool, depth, sizes)
      const all = this.all()
      if (all.some((s) => s.interrupted)) {
        // A thread stopped by a bound or a violation meanwhile leaves a chunk part-expanded that is not kept: the last checkpoint stands.
        if (!all.some((s) => s.bounded || s.violation !== undefined)) {
          const levelSizes = sizes
          options.onStopped?.(this.position(depth, () => this.share.unexpandedIds(depth, levelSizes), queued))
        }
        return true
      }
      depth++
      this.reportLevel(depth, queued)
      if (queued.every((q) => q === 0) || all.some((s) => s.violation !== undefined || s.bounded)) return false
      sizes = queued
      const atLevelEnd = this.position(depth, () => this.share.idsOf(depth, queued), [])
      options.onLevel?.(atLevelEnd)
      if (options.signal?.aborted === true) {
        options.onStopped?.(atLevelEnd)
        return true
      }
    }
  }

  /** One level, whose segments hold `sizes` states, expanded by every thread: the states each queued of the next. */
  private async expandLevel(pool: ReadonlyArray<PoolWorker>, depth: number, sizes: ReadonlyArray<number>): Promise<Array<number>> {
    this.claims.reset()
    this.busy(pool.length + 1)
    const startedAt = performance.now()
    const answers = pool.map((worker) => worker.ask({ _tag: "Expand", depth, sizes }, "Expanded"))
    // The main thread takes its part while the workers take theirs.
    const mine = (await this.share.expandYielding(depth, sizes)).size
    const results = await Promise.all(answers)
    const levelMs = performance.now() - startedAt
    this.waitMs[0] = (this.waitMs[0] ?? 0) + levelMs - this.share.work.lastLevelMs
    results.forEach((result, i) => {
      this.summaries[i] = result.summary
      this.figures[i] = result.figures
      this.waitMs[i + 1] = (this.waitMs[i + 1] ?? 0) + levelMs - result.levelMs
    })
    return [mine, ...results.map((result) => result.queued)]
  }

  private reportLevel(depth: number, queued: ReadonlyArray<number>): void {
    const { table, startedAt } = this
    this.options.onProgress?.({
      distinctStates: table.size,
      generatedStates: total(this.all()),
      queued: queued.reduce((a, b) => a + b, 0),
      depth,
      elapsedMs: this.elapsedBefore + performance.now() - startedAt,
      statesPerSec: rate(table.size, performance.now() - startedAt)
    })
  }

  /** Liveness, on the graph merged from every thread's part. */
  private async checkLiveness(pool: ReadonlyArray<PoolWorker>): Promise<void> {
    const answers = await Promise.all(pool.map((worker) => worker.ask({ _tag: "SendGraph" }, "Graph")))
    const parts = [this.explored.graphPart()!, ...answers.map((answer) => answer.part!)]
    this.explored.checkLiveness(StateGraph.merged(parts, this.table.idsHandedOut), this.table.idsHandedOut)
  }

  /** Where the search stands with `pending` states of the level at `depth` still to expand and `found` states of the next stored. */
  private position(depth: number, pending: () => Array<number>, found: ReadonlyArray<number>): SearchPosition {
    return {
      stateTable: this.table,
      snapshot: () => {
        const all = this.all()
        return {
          depth,
          pending: pending(),
          next: found.some((size) => size > 0) ? this.share.idsOf(depth + 1, found) : [],
          generated: total(all),
          deepest: Math.max(...all.map((s) => s.deepest)),
          witnesses: firstWitnesses(all),
          elapsedMs: this.elapsedBefore + performance.now() - this.startedAt
        }
      }
    }
  }

  private perThread(): Array<ThreadFigures> {
    const wait = (thread: number) => this.waitMs[thread] ?? 0
    return [this.share.work.report(0, wait(0)), ...this.figures.map((figures) => ({ ...figures, waitMs: Math.round(wait(figures.thread)) }))]
  }

  /**
   * Whether every worker thread is ready to take part. A thread that could
   * not start ends the search with the reason, rather than leaving the main
   * thread to search alone, which would look like a search on every thread
   * that was asked for.
   */
  private workersReady(): boolean {
    if (this.startFailure !== undefined) throw new WorkerStartError(this.starting.length + 1, this.startFailure)
    return this.claims.readyWorkers === this.starting.length
  }

  private all(): Array<SearchSummary> {
    return [this.explored.summary(), ...this.summaries]
  }

  private busy(threads: number): void {
    Atomics.store(new Int32Array(this.control), BUSY, threads)
  }

  private frontierBytes(): number | undefined {
    return this.model.codec === undefined ? undefined : this.segments.flat().reduce((sum, b) => sum + b.ids.byteLength + (b.words?.byteLength ?? 0), 0)
  }

  async stop(): Promise<void> {
    await Promise.all(this.starting.map((worker) => worker.then((w) => w.stop(), () => {})))
  }
}

/** A worker thread of a parallel search could not start: the search stops, naming why. */
export class WorkerStartError extends Error {
  constructor(threads: number, cause: unknown) {
    super(`a checker worker thread could not start, so the search cannot run on ${threads} threads: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = "WorkerStartError"
  }
}

export interface ParallelOptions {
  /** The table to search with: a checkpoint's, restored, when `CheckOptions.resume` is given. */
  readonly table?: StateTable
  /** A level smaller than this per thread is expanded by the main thread alone. */
  readonly statesPerWorkerToSplit?: number
  /**
   * The main thread's model, when the caller has built it from `source`
   * already; else the main thread loads `source` as the workers do. (A CLI
   * run from a bundle cannot import TypeScript sources in its main thread.)
   */
  readonly model?: Model<unknown, unknown>
  /**
   * The main thread waits for the workers to be ready before it starts, so
   * that even a small search is shared: for tests. Otherwise it searches
   * alone meanwhile.
   */
  readonly waitForWorkers?: boolean
}

/**
 * The main thread's own BFS, into its segment, until the workers are ready
 * and a level has `wide` states: that level's size and depth, or undefined
 * when the search ended (or was stopped) first. The event loop turns
 * between levels, so a stop asked for by a signal handler is seen. A
 * resumed search starts from its snapshot; a level it was stopped inside
 * is finished here, into the part of the next level it had found.
 */
const searchUntilShared = async <S>(
  search: BreadthFirst<S, unknown>,
  share: LevelShare<S>,
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
    // Asked at every level, so that a thread that could not start is reported at once.
    const ready = workersReady()
    if (!partlyFound && level.size >= wide && ready) return { size: level.size, depth }
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

/**
 * Functions and signals cannot cross into a worker; the main thread reports
 * progress, takes checkpoints, and stops the workers through `LevelClaims`.
 * A resumed search's counts so far are the main thread's to carry.
 */
const forWorkers = (options: CheckOptions): CheckOptions => {
  const { onProgress: _onProgress, onLevel: _onLevel, onStopped: _onStopped, signal: _signal, resume: _resume, ...rest } = options
  return rest
}
