/**
 * A worker thread of a parallel search: it builds its own copy of the model,
 * attaches to the shared state table and levels, and expands chunks of each
 * BFS level when the main thread says so (see `parallel.ts` for the
 * protocol, `level-claims.ts` for how a level is shared out).
 */
import { parentPort, workerData } from "node:worker_threads"
import { GrowthBarrier } from "./growth-barrier.ts"
import { CHUNK, LevelClaims } from "./level-claims.ts"
import type { Level, LevelBuffers } from "./level.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { Search } from "./search.ts"
import type { SearchSummary } from "./search.ts"
import { StateTable } from "./state-table.ts"
import type { StateTableBuffers } from "./state-table.ts"
import type { CheckOptions } from "./types.ts"

/**
 * The buffers of every segment of a level, by parity of depth: segment 0 is
 * the main thread's (the level it handed over), segment `1 + i` worker `i`'s.
 */
export type SegmentBuffers = ReadonlyArray<readonly [LevelBuffers, LevelBuffers]>

export interface WorkerSetup {
  readonly source: ModelSource
  readonly options: CheckOptions
  readonly buffers: StateTableBuffers
  readonly control: SharedArrayBuffer
  readonly claims: SharedArrayBuffer
  readonly segments: SegmentBuffers
  /** This worker's segment. */
  readonly segment: number
}

/** From the main thread: expand level `depth`, whose segments hold `sizes` states. */
export type ToWorker = { readonly _tag: "Expand"; readonly depth: number; readonly sizes: ReadonlyArray<number> }

export type FromWorker =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Expanded"; readonly queued: number; readonly summary: SearchSummary }
  | { readonly _tag: "Failed"; readonly message: string }

/** A quarter of a megabyte a thread: fits its core's cache beside the model's own data. */
const RECENT_ENTRIES = 1 << 16

const port = parentPort!
const setup = workerData as WorkerSetup
const model = await loadModel(setup.source)
const table = new StateTable(setup.buffers, RECENT_ENTRIES)
const barrier = new GrowthBarrier(new Int32Array(setup.control), table)
const search = new Search(model, setup.options, table, () => barrier.checkpoint(), false)
const claims = new LevelClaims(setup.claims)
const rebuild = (id: number): unknown => search.rebuild(id)
/** Per segment and parity, this thread's view of that part of the level: its own it writes, the others it reads. */
const levels: ReadonlyArray<readonly [Level<unknown>, Level<unknown>]> = setup.segments.map(([even, odd]) => [
  search.newLevel(even, rebuild),
  search.newLevel(odd, rebuild)
])

const post = (message: FromWorker) => port.postMessage(message)

/** Own segment first, then the others' in turn from the next one on. */
const segmentOrder = (count: number): ReadonlyArray<number> =>
  Array.from({ length: count }, (_, i) => (setup.segment + i) % count)

const expand = (depth: number, sizes: ReadonlyArray<number>): Level<unknown> => {
  const parity = depth % 2
  const next = levels[setup.segment]![1 - parity]!
  next.clear()
  try {
    for (const segment of segmentOrder(sizes.length)) {
      const size = sizes[segment]!
      const level = levels[segment]![parity]!
      if (segment !== setup.segment) level.filledTo(size)
      else if (level.size !== size) throw new RangeError(`worker ${setup.segment} holds ${level.size} states of its level, the main thread counts ${size}`)
      for (let start = claims.claim(segment, size); start >= 0 && !claims.stopped; start = claims.claim(segment, size)) {
        if (!search.expandSlice(level, depth, next, start, Math.min(start + CHUNK, size))) {
          claims.stop()
          return next
        }
      }
    }
    return next
  } finally {
    table.flush()
    barrier.leave()
  }
}

port.on("message", (message: ToWorker) => {
  try {
    const next = expand(message.depth, message.sizes)
    post({ _tag: "Expanded", queued: next.size, summary: search.summary() })
  } catch (error) {
    post({ _tag: "Failed", message: error instanceof Error ? error.message : String(error) })
  }
})
claims.ready()
post({ _tag: "Ready" })
