/**
 * What each thread of a parallel search did, for telling how well the
 * threads share the work: CPU time is what a busy machine disturbs least,
 * and the time a thread waits at the end of a level, with nothing left of
 * it to take, is what keeps two cores from doing twice the work of one.
 */
export interface ThreadFigures {
  /** 0 for the main thread, `i` for worker `i`. */
  readonly thread: number
  /** The thread's CPU time, user and system, from its start to the search's end. */
  readonly cpuMs: number
  /** Of which before it took part: a worker loading the checker and the model, the main thread searching alone. */
  readonly startCpuMs: number
  /** Wall time spent expanding its part of the levels shared out. */
  readonly busyMs: number
  /** Wall time it waited, its part of a shared level done, for the others to finish theirs. */
  readonly waitMs: number
  /** States it expanded in the levels shared out. */
  readonly expanded: number
  /** States it took from another thread, rebuilt by replaying their paths from an initial state. */
  readonly replayed: number
  /** Steps replayed to rebuild them: each state's own step, and those of its ancestors not rebuilt before. */
  readonly replaySteps: number
  /** States it expanded that another thread stored: taken from another's segment. */
  readonly stolen: number
}

/** The counters one thread keeps of its part in the shared levels (see `LevelShare`). */
export class ThreadWork {
  busyMs = 0
  expanded = 0
  replayed = 0
  replaySteps = 0
  stolen = 0
  /** Busy time of the level expanded last, for the main thread to work out the wait. */
  lastLevelMs = 0
  /** CPU time when the thread took its first part of a level, or -1 before. */
  startCpuMs = -1

  /** Marks the start of a level's part. */
  beginLevel(): number {
    if (this.startCpuMs < 0) this.startCpuMs = threadCpuMs()
    return performance.now()
  }

  endLevel(startedAt: number): void {
    this.lastLevelMs = performance.now() - startedAt
    this.busyMs += this.lastLevelMs
  }

  /** What one thread reports; `waitMs` is the main thread's to add up (see `parallel.ts`). */
  report(thread: number, waitMs: number): ThreadFigures {
    return {
      thread,
      cpuMs: Math.round(threadCpuMs()),
      startCpuMs: Math.round(Math.max(this.startCpuMs, 0)),
      busyMs: Math.round(this.busyMs),
      waitMs: Math.round(waitMs),
      expanded: this.expanded,
      replayed: this.replayed,
      replaySteps: this.replaySteps,
      stolen: this.stolen
    }
  }
}

/** This thread's CPU time so far, in milliseconds. */
export const threadCpuMs = (): number => {
  const { user, system } = process.threadCpuUsage()
  return (user + system) / 1000
}
