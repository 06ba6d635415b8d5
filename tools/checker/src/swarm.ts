import { rate } from "./exploration.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { assertValidOptions } from "./options.ts"
import { Search } from "./search.ts"
import { StateTable } from "./state-table.ts"
import type { FromWalker, ToWalker, WalkerFingerprints, WalkerSetup } from "./swarm-worker.ts"
import type { Model } from "@parley/core"
import type { CheckOptions, CheckResult, Path } from "./types.ts"
import { startThread } from "./worker-pool.ts"

/** What one walker of a swarm did. */
export interface WalkerFigures {
  readonly seed: number
  readonly walks: number
  readonly distinctStates: number
  readonly generatedStates: number
}

/** A swarm's result: the walkers' together (`distinctStates` is their union), and each one's. */
export interface SwarmResult extends CheckResult {
  readonly walkers: number
  readonly perWalker: ReadonlyArray<WalkerFigures>
}

/**
 * A swarm (Holzmann's swarm verification, here of random walks): `walkers`
 * searches by random walks side by side, the main thread and `walkers - 1`
 * worker threads, walker `i` drawing its walks from seed `seed + i`, each
 * with `walks` walks of at most `maxDepth` steps. So a swarm is exactly the
 * walkers' single-threaded searches with those seeds (`--seed seed+i`),
 * and a seed found to catch a bug reproduces it alone.
 *
 * Each walker keeps its own state table (no locking, and the walks stay
 * those of the seed); the distinct states reported are the union of the
 * tables, joined once the walkers end. The first violation stops every
 * walker; the one reported is the main thread's or else the lowest seed's
 * among those found before the others stopped. Its path is one of the
 * model's paths, as any walk's, so it replays on the main thread's model.
 */
export const checkSwarm = async (source: ModelSource, options: CheckOptions, walkers: number, built?: Model<unknown, unknown>): Promise<SwarmResult> => {
  const startedAt = performance.now()
  // The caller's model where it has one: a bundled CLI cannot load the spec's sources on its own thread.
  const model = built ?? await loadModel(source)
  assertValidOptions(options, { model, workers: walkers })
  const seed = options.seed ?? 0
  const progress = new SwarmProgress(walkers, options, startedAt)
  const table = new StateTable()
  const main = new Search(model, { ...options, onProgress: (p) => progress.update(0, p.distinctStates, p.generatedStates, p.depth) }, table)
  const { onProgress: _onProgress, onLevel: _onLevel, onStopped: _onStopped, signal, resume: _resume, ...plain } = options
  const threads = Array.from({ length: walkers - 1 }, (_, i) => startWalker({ source, options: { ...plain, seed: seed + i + 1 } }, i + 1, progress))
  let stoppedForViolation = false
  const stopAll = () => {
    main.requestStop()
    for (const thread of threads) thread.stop()
  }
  signal?.addEventListener("abort", stopAll, { once: true })
  if (signal?.aborted === true) stopAll()
  for (const thread of threads) {
    thread.done.then((walked) => {
      if (walked.result.violation !== undefined) {
        stoppedForViolation = true
        stopAll()
      }
    }, stopAll)
  }
  try {
    const own = await main.runInterruptibly()
    if (own.violation !== undefined) {
      stoppedForViolation = true
      stopAll()
    }
    const others = await Promise.all(threads.map((thread) => thread.done))
    const saved = table.saved()
    const all = [{ result: own, fingerprints: { laneA: saved.laneA.subarray(0, saved.size), laneB: saved.laneB.subarray(0, saved.size) } }, ...others]
    return joined(all, seed, performance.now() - startedAt, stoppedForViolation)
  } finally {
    signal?.removeEventListener("abort", stopAll)
    await Promise.all(threads.map((thread) => thread.terminate()))
  }
}

interface Walked {
  readonly result: CheckResult
  readonly fingerprints: WalkerFingerprints
}

/** The walkers' results as one: counts added, the states' union counted, the first witness and violation by seed. */
const joined = (all: ReadonlyArray<Walked>, seed: number, elapsedMs: number, stoppedForViolation: boolean): SwarmResult => {
  const union = new StateTable()
  for (const { fingerprints: { laneA, laneB } } of all) {
    for (let id = 0; id < laneA.length; id++) {
      union.insert(laneA[id]!, laneB[id]!, -1, 0)
      if (union.crowded) union.rehash()
    }
  }
  const results = all.map((walked) => walked.result)
  const violation = results.find((result) => result.violation !== undefined)?.violation
  const reached = new Map<string, Path>()
  for (const result of results) for (const { property, path } of result.reached) if (!reached.has(property)) reached.set(property, path)
  const unreached = results[0]!.unreached.filter((property) => !reached.has(property))
  const sum = (figure: (result: CheckResult) => number) => results.reduce((total, result) => total + figure(result), 0)
  // A walker stopped because another found a violation was not interrupted by the user.
  const interrupted = !stoppedForViolation && results.some((result) => result.interrupted === true)
  return {
    result: violation === undefined ? "bounded" : "violation",
    ...(violation === undefined ? {} : { violation }),
    ...(interrupted ? { interrupted } : {}),
    distinctStates: union.size,
    generatedStates: sum((result) => result.generatedStates),
    maxDepth: Math.max(...results.map((result) => result.maxDepth)),
    elapsedMs,
    statesPerSec: rate(union.size, elapsedMs),
    reached: [...reached].map(([property, path]) => ({ property, path })),
    unreached,
    tableBytes: sum((result) => result.tableBytes),
    walks: sum((result) => result.walks ?? 0),
    livenessUnchecked: results[0]!.livenessUnchecked,
    walkers: all.length,
    perWalker: results.map((result, i) => ({
      seed: seed + i,
      walks: result.walks ?? 0,
      distinctStates: result.distinctStates,
      generatedStates: result.generatedStates
    }))
  }
}

/** The walkers' progress added up, reported at most once per `progressIntervalMs`; the states are a sum over walkers, not yet their union. */
class SwarmProgress {
  private readonly distinct: Array<number>
  private readonly generated: Array<number>
  private depth = 0
  private lastAt: number

  constructor(walkers: number, private readonly options: CheckOptions, private readonly startedAt: number) {
    this.distinct = new Array<number>(walkers).fill(0)
    this.generated = new Array<number>(walkers).fill(0)
    this.lastAt = startedAt
  }

  update(walker: number, distinctStates: number, generatedStates: number, depth: number): void {
    this.distinct[walker] = distinctStates
    this.generated[walker] = generatedStates
    this.depth = Math.max(this.depth, depth)
    const { onProgress, progressIntervalMs = 1000 } = this.options
    const now = performance.now()
    if (onProgress === undefined || now - this.lastAt < progressIntervalMs) return
    this.lastAt = now
    const distinct = this.distinct.reduce((a, b) => a + b, 0)
    const elapsedMs = now - this.startedAt
    onProgress({
      distinctStates: distinct,
      generatedStates: this.generated.reduce((a, b) => a + b, 0),
      queued: 0,
      depth: this.depth,
      elapsedMs,
      statesPerSec: rate(distinct, elapsedMs)
    })
  }
}

interface WalkerThread {
  /** Its result and fingerprints; rejected when the thread fails. */
  readonly done: Promise<Walked>
  /** Asks it to stop after its current walk's state. */
  stop(): void
  terminate(): Promise<void>
}

const startWalker = (setup: WalkerSetup, index: number, progress: SwarmProgress): WalkerThread => {
  const worker = startThread({ role: "walk", setup })
  let finished = false
  const done = new Promise<Walked>((resolve, reject) => {
    worker.on("error", reject)
    worker.on("exit", (code) => reject(new Error(`a swarm walker exited with code ${code}`)))
    worker.on("message", (message: FromWalker) => {
      switch (message._tag) {
        case "Progress":
          return progress.update(index, message.distinctStates, message.generatedStates, message.depth)
        case "Failed":
          return reject(new Error(message.message))
        case "Walked":
          finished = true
          return resolve({ result: message.result, fingerprints: message.fingerprints })
      }
    })
  })
  // A failure is reported through `done` when the swarm awaits it; until then its rejection is not unhandled.
  done.catch(() => {})
  return {
    done,
    stop: () => {
      if (!finished) worker.postMessage({ _tag: "Stop" } satisfies ToWalker)
    },
    terminate: async () => {
      worker.removeAllListeners("exit")
      await worker.terminate()
    }
  }
}
