import { writeCheckpoint } from "@parley/checker"
import type { CheckOptions, CheckResult, SearchPosition } from "@parley/checker"
import type { SpecConfig } from "@parley/core"

/** What a checkpoint names, so that only the same check resumes from it. */
export interface CheckpointIdentity {
  readonly spec: string
  readonly config: SpecConfig
  readonly symmetry: boolean
}

/**
 * The hooks that make a BFS write a checkpoint to `file`: at the end of a
 * level once `everyMs` have passed since the last one, and where a stop
 * left the search. Written to a temporary file and renamed, so a crash
 * mid-write keeps the previous one (see `writeCheckpoint`).
 */
export const checkpointHooks = (
  file: string,
  everyMs: number,
  identity: CheckpointIdentity
): Required<Pick<CheckOptions, "onLevel" | "onStopped">> => {
  let lastWrite = performance.now()
  const save = (at: SearchPosition) => {
    writeCheckpoint(file, { ...identity, snapshot: at.snapshot(), table: at.stateTable.saved() })
    lastWrite = performance.now()
  }
  return {
    onLevel: (atLevelEnd) => {
      if (performance.now() - lastWrite >= everyMs) save(atLevelEnd)
    },
    onStopped: save
  }
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
