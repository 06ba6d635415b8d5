import { StateTable, writeCheckpoint } from "@parley/checker"
import type { Checkpoint, CheckOptions, CheckResult, SearchPosition } from "@parley/checker"
import type { SpecConfig } from "@parley/core"

export interface CheckpointedRun {
  readonly options: CheckOptions
  readonly spec: string
  readonly config: SpecConfig
  /** Where to write checkpoints, if anywhere. */
  readonly file: string | undefined
  readonly everyMs: number
  readonly resume: Checkpoint | undefined
  /** The search itself, on one thread or several, with the table it is to use. */
  readonly search: (options: CheckOptions, table: StateTable) => Promise<CheckResult>
  /** Called when a signal has stopped the search and its checkpoint is written: the process may be about to exit. */
  readonly onInterrupted: (result: CheckResult) => void
}

/**
 * Runs a search that Ctrl-C (or SIGTERM) stops after the state it is on,
 * through the signal it is given, instead of ending the process; a stopped
 * search's result is `interrupted`, and `onInterrupted` has it first. The
 * caller runs this uninterruptibly, since the runtime would otherwise end
 * the process on the same signal before the figures (and a checkpoint) are out.
 */
export const stoppableBySignals = async (
  search: (signal: AbortSignal) => Promise<CheckResult>,
  onInterrupted: (result: CheckResult) => void
): Promise<CheckResult> => {
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  try {
    const result = await search(controller.signal)
    if (result.interrupted === true) onInterrupted(result)
    return result
  } finally {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  }
}

/**
 * A search that Ctrl-C stops (see `stoppableBySignals`). A BFS writes a
 * checkpoint (when asked for one) at the end of a level once `everyMs` have
 * passed since the last, and where it was stopped; or goes on from one.
 */
export const runCheckpointed = (run: CheckpointedRun): Promise<CheckResult> => {
  const { file } = run
  const table = run.resume === undefined ? new StateTable() : StateTable.restored(run.resume.table)
  let lastWrite = performance.now()
  const save = (at: SearchPosition) => {
    if (file === undefined) return
    writeCheckpoint(file, {
      spec: run.spec,
      config: run.config,
      symmetry: run.options.symmetry === true,
      snapshot: at.snapshot(),
      table: at.stateTable.saved()
    })
    lastWrite = performance.now()
  }
  const hooks = file === undefined ? {} : {
    onLevel: (atLevelEnd: SearchPosition) => {
      if (performance.now() - lastWrite >= run.everyMs) save(atLevelEnd)
    },
    onStopped: save
  }
  return stoppableBySignals((signal) =>
    run.search({
      ...run.options,
      signal,
      ...(run.resume === undefined ? {} : { resume: run.resume.snapshot }),
      ...hooks
    }, table), run.onInterrupted)
}
