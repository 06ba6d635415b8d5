/**
 * A worker thread of a parallel search: it builds its own copy of the model,
 * attaches to the shared state table and levels, and takes its part in
 * expanding each BFS level when the main thread says so (see `parallel.ts`
 * for the protocol, `level-share.ts` for how a level is shared out).
 */
import { parentPort } from "node:worker_threads"
import { BreadthFirst } from "./bfs.ts"
import { Exploration } from "./exploration.ts"
import type { SearchSummary } from "./exploration.ts"
import { GrowthBarrier } from "./growth-barrier.ts"
import { LevelClaims } from "./level-claims.ts"
import { LevelShare } from "./level-share.ts"
import type { SegmentBuffers } from "./level-share.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import type { GraphPart } from "./state-graph.ts"
import { StateTable } from "./state-table.ts"
import type { StateTableBuffers } from "./state-table.ts"
import type { ThreadFigures } from "./thread-figures.ts"
import type { CheckOptions } from "./types.ts"

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

/**
 * From the main thread: expand level `depth`, whose segments hold `sizes`
 * states (see `LevelShare.expand`); or, once
 * the search is done, hand over this thread's part of the state graph.
 */
export type ToWorker =
  | { readonly _tag: "Expand"; readonly depth: number; readonly sizes: ReadonlyArray<number> }
  | { readonly _tag: "SendGraph" }

export type FromWorker =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Expanded"; readonly queued: number; readonly summary: SearchSummary; readonly figures: ThreadFigures; readonly levelMs: number }
  | { readonly _tag: "Graph"; readonly part: GraphPart | undefined }
  | { readonly _tag: "Failed"; readonly message: string }

/** A quarter of a megabyte a thread: fits its core's cache beside the model's own data. */
const RECENT_ENTRIES = 1 << 16

/** The thread's part in the search, until the main thread terminates it. */
export const runCheckWorker = async (setup: WorkerSetup): Promise<void> => {
  const port = parentPort!
  const model = await loadModel(setup.source)
  const table = new StateTable(setup.buffers, RECENT_ENTRIES)
  const barrier = new GrowthBarrier(new Int32Array(setup.control), table)
  const explored = new Exploration(model, setup.options, table, () => barrier.checkpoint())
  const search = new BreadthFirst(explored)
  const claims = new LevelClaims(setup.claims)
  const share = new LevelShare(search, setup.segments, setup.segment, claims, barrier, table)
  const post = (message: FromWorker) => port.postMessage(message)

  port.on("message", (message: ToWorker) => {
    try {
      if (message._tag === "SendGraph") {
        const part = explored.graphPart()
        // Moved, not copied: the arrays may hold hundreds of megabytes, and this thread is done with them.
        port.postMessage({ _tag: "Graph", part } satisfies FromWorker, part === undefined ? [] : [part.targets, part.actions, part.classes, part.first, part.count, part.bits].map((array) => array.buffer))
        return
      }
      const next = share.expand(message.depth, message.sizes)
      post({ _tag: "Expanded", queued: next.size, summary: explored.summary(), figures: share.work.report(setup.segment, 0), levelMs: share.work.lastLevelMs })
    } catch (error) {
      post({ _tag: "Failed", message: error instanceof Error ? error.message : String(error) })
    }
  })
  claims.ready()
  post({ _tag: "Ready" })
}
