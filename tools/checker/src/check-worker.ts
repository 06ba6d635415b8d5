/**
 * A worker thread of a parallel search: it builds its own copy of the model,
 * attaches to the shared state table, and expands its share of each BFS
 * level when the main thread says so (see `parallel.ts` for the protocol).
 */
import { parentPort, workerData } from "node:worker_threads"
import { GrowthBarrier } from "./growth-barrier.ts"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { replay } from "./replay.ts"
import { Level, Search } from "./search.ts"
import { StateTable } from "./state-table.ts"
import type { StateTableBuffers } from "./state-table.ts"
import type { CheckOptions } from "./types.ts"

export interface WorkerSetup {
  readonly source: ModelSource
  readonly options: CheckOptions
  readonly buffers: StateTableBuffers
  readonly control: SharedArrayBuffer
}

/** From the main thread: expand a level, after adopting the given states; or hand over some states. */
export type ToWorker =
  | { readonly _tag: "Expand"; readonly depth: number; readonly adopt: ReadonlyArray<number> }
  | { readonly _tag: "Give"; readonly count: number }

export type FromWorker =
  | { readonly _tag: "Ready" }
  | { readonly _tag: "Expanded"; readonly queued: number; readonly summary: ReturnType<Search<unknown, unknown>["summary"]> }
  | { readonly _tag: "Given"; readonly ids: ReadonlyArray<number> }
  | { readonly _tag: "Failed"; readonly message: string }

/** A quarter of a megabyte a thread: fits its core's cache beside the model's own data. */
const RECENT_ENTRIES = 1 << 16

const port = parentPort!
const setup = workerData as WorkerSetup
const model = await loadModel(setup.source)
const table = new StateTable(setup.buffers, RECENT_ENTRIES)
const barrier = new GrowthBarrier(new Int32Array(setup.control), table)
const search = new Search(model, setup.options, table, () => barrier.checkpoint(), false)
let level = new Level<unknown>()

const post = (message: FromWorker) => port.postMessage(message)

/** A state handed over by id, rebuilt by replaying its path from the shared parent links. */
const rebuild = (id: number): unknown => {
  const { initial, steps } = replay(model, table.pathTo(id))
  return steps.at(-1)?.state ?? initial
}

port.on("message", (message: ToWorker) => {
  try {
    if (message._tag === "Give") {
      const ids = level.ids.splice(level.ids.length - message.count)
      level.states.splice(level.states.length - message.count)
      post({ _tag: "Given", ids })
      return
    }
    for (const id of message.adopt) level.push(rebuild(id), id)
    const next = new Level<unknown>()
    try {
      search.expandLevel(level, message.depth, next)
    } finally {
      table.flush()
      barrier.leave()
    }
    level = next
    post({ _tag: "Expanded", queued: next.size, summary: search.summary() })
  } catch (error) {
    post({ _tag: "Failed", message: error instanceof Error ? error.message : String(error) })
  }
})
post({ _tag: "Ready" })
