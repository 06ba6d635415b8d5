/**
 * A walker of a swarm (see `swarm.ts`): a worker thread that builds its own
 * copy of the model and runs random walks from its own seed into its own
 * state table, reporting progress now and then, and at the end its result
 * with the table's fingerprints, so the main thread can count the states
 * the walkers reached together.
 */
import { parentPort } from "node:worker_threads"
import { loadModel } from "./model-source.ts"
import type { ModelSource } from "./model-source.ts"
import { Search } from "./search.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult } from "./types.ts"

export interface WalkerSetup {
  readonly source: ModelSource
  /** The walker's options, its seed among them; plain data, no hooks. */
  readonly options: CheckOptions
}

export type ToWalker = { readonly _tag: "Stop" }

export type FromWalker =
  | { readonly _tag: "Progress"; readonly distinctStates: number; readonly generatedStates: number; readonly depth: number }
  | { readonly _tag: "Walked"; readonly result: CheckResult; readonly fingerprints: WalkerFingerprints }
  | { readonly _tag: "Failed"; readonly message: string }

/** A walker's state table as two lanes of fingerprint halves, one pair a state. */
export interface WalkerFingerprints {
  readonly laneA: Uint32Array
  readonly laneB: Uint32Array
}

/** The walker's walks, until they are done or the main thread says stop; its result and fingerprints, or why it failed, posted. */
export const runWalker = async (setup: WalkerSetup): Promise<void> => {
  const port = parentPort!
  const post = (message: FromWalker, transfer: ReadonlyArray<ArrayBuffer> = []) => port.postMessage(message, [...transfer])
  try {
    const model = await loadModel(setup.source)
    const table = new StateTable()
    const search = new Search(model, {
      ...setup.options,
      onProgress: (p) => post({ _tag: "Progress", distinctStates: p.distinctStates, generatedStates: p.generatedStates, depth: p.depth })
    }, table)
    port.on("message", (message: ToWalker) => {
      if (message._tag === "Stop") search.requestStop()
    })
    const result = await search.runInterruptibly()
    // One thread hands out its ids in order, so the first `size` are the states stored; the rest of the last chunk is unused.
    const saved = table.saved()
    const laneA = saved.laneA.slice(0, saved.size)
    const laneB = saved.laneB.slice(0, saved.size)
    post({ _tag: "Walked", result, fingerprints: { laneA, laneB } }, [laneA.buffer as ArrayBuffer, laneB.buffer as ArrayBuffer])
  } catch (error) {
    post({ _tag: "Failed", message: error instanceof Error ? error.message : String(error) })
  }
}
