import { Search, StateTable, writeCheckpoint } from "@parley/checker"
import type { Checkpoint, CheckOptions, CheckResult } from "@parley/checker"
import type { Model, SpecConfig } from "@parley/core"

export interface CheckpointedRun {
  readonly model: Model<unknown, unknown>
  readonly options: CheckOptions
  readonly spec: string
  readonly config: SpecConfig
  /** Where to write checkpoints, if anywhere. */
  readonly file: string | undefined
  readonly everyMs: number
  readonly resume: Checkpoint | undefined
  /** Called when a signal has stopped the search and its checkpoint is written: the process may be about to exit. */
  readonly onInterrupted: (result: CheckResult) => void
}

/**
 * A one-thread BFS that Ctrl-C (or SIGTERM) stops after the state it is on,
 * writing a checkpoint (when asked for one) at the end of a level once
 * `everyMs` have passed since the last, and when stopped; or that goes on
 * from one. The caller runs it uninterruptibly, since the runtime would
 * otherwise end the process on the same signal before the checkpoint is out.
 */
export const runCheckpointed = async (run: CheckpointedRun): Promise<CheckResult> => {
  const { file } = run
  const table = run.resume === undefined ? new StateTable() : StateTable.restored(run.resume.table)
  let lastWrite = performance.now()
  const save = (search: Search<unknown, unknown>) => {
    if (file === undefined) return
    writeCheckpoint(file, {
      spec: run.spec,
      config: run.config,
      symmetry: run.options.symmetry === true,
      snapshot: search.snapshot(),
      table: search.stateTable.saved()
    })
    lastWrite = performance.now()
  }
  const options: CheckOptions = {
    ...run.options,
    ...(run.resume === undefined ? {} : { resume: run.resume.snapshot }),
    onLevel: (search) => {
      if (performance.now() - lastWrite >= run.everyMs) save(search)
    }
  }
  const search = new Search(run.model, options, table)
  const stop = () => search.requestStop()
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  try {
    const result = await search.runInterruptibly()
    if (result.interrupted === true) {
      save(search)
      run.onInterrupted(result)
    }
    return result
  } finally {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  }
}
