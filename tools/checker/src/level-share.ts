import type { BreadthFirst } from "./bfs.ts"
import type { GrowthBarrier } from "./growth-barrier.ts"
import { CHUNK } from "./level-claims.ts"
import type { LevelClaims } from "./level-claims.ts"
import type { Level, LevelBuffers } from "./level.ts"
import type { StateTable } from "./state-table.ts"
import { PathRebuilder } from "./path-rebuilder.ts"
import { ThreadWork } from "./thread-figures.ts"

const YIELD_EVERY_MS = 20

/**
 * The buffers of every segment of a level, by parity of depth: segment 0 is
 * the main thread's, segment `i` worker thread `i`'s.
 */
export type SegmentBuffers = ReadonlyArray<readonly [LevelBuffers, LevelBuffers]>

/**
 * One thread's part in expanding a BFS level with the others: it writes
 * the states it stores into its own segment of the next level, and expands
 * chunks of every segment of this one, its own first (see `LevelClaims`).
 * A state belongs to the thread that stored it first, and stays in that
 * thread's words unless another takes it at a level's end. The main thread
 * takes part as segment 0, as the workers do.
 */
export class LevelShare<S> {
  /** Per segment and parity, this thread's view of that part of a level: its own it writes, the others it reads. */
  private readonly levels: ReadonlyArray<readonly [Level<S>, Level<S>]>
  /** The segment and end of the chunk this thread's search stopped inside, in the level it expanded last. */
  private stoppedInside: { readonly segment: number; readonly end: number } | undefined
  /** What this thread did in the levels it shared. */
  readonly work = new ThreadWork()
  /** How this thread gets the states it takes from another's segment: kept as that thread's words, they are rebuilt by replay. */
  private readonly rebuilder: PathRebuilder<S, unknown>

  constructor(
    private readonly search: BreadthFirst<S, unknown>,
    segments: SegmentBuffers,
    readonly segment: number,
    private readonly claims: LevelClaims,
    private readonly barrier: GrowthBarrier,
    private readonly table: StateTable
  ) {
    this.rebuilder = new PathRebuilder(search.explored.model, table)
    const rebuild = (id: number): S => {
      this.work.replayed++
      return this.rebuilder.stateOf(id)
    }
    this.levels = segments.map(([even, odd]) => [search.newLevel(even, rebuild), search.newLevel(odd, rebuild)])
  }

  /** This thread's own segment of the level at `depth`. */
  own(depth: number): Level<S> {
    return this.levels[this.segment]![depth % 2]!
  }

  /** The ids of every segment of the level at `depth`, whose segments hold `sizes` states: for a checkpoint. */
  idsOf(depth: number, sizes: ReadonlyArray<number>): Array<number> {
    return sizes.flatMap((size, segment) => this.segmentOf(depth, segment, size).idsFrom(0))
  }

  /**
   * After a level was stopped part-way, the ids of its states no thread
   * expanded: the rest of the chunk this thread was stopped inside, and
   * every chunk no thread took. For a checkpoint, once every thread is done.
   */
  unexpandedIds(depth: number, sizes: ReadonlyArray<number>): Array<number> {
    const rest = this.stoppedInside === undefined ? [] : this.segmentOf(depth, this.stoppedInside.segment, sizes[this.stoppedInside.segment]!)
      .idsFrom(this.search.stoppedAt).slice(0, this.stoppedInside.end - this.search.stoppedAt)
    return [...rest, ...sizes.flatMap((size, segment) => this.segmentOf(depth, segment, size).idsFrom(this.claims.taken(segment, size)))]
  }

  private segmentOf(depth: number, segment: number, size: number): Level<S> {
    const level = this.levels[segment]![depth % 2]!
    if (segment !== this.segment) level.filledTo(size)
    return level
  }

  /**
   * Expands level `depth`, whose segments hold `sizes` states, with the
   * other threads; returns this thread's part of the next. It takes
   * chunks of its own segment first, then of the others' once its own are
   * all taken: a state another thread kept live, or as its own words, is
   * rebuilt by replay (see `PathRebuilder`), at about one step a state, so
   * taking it beats waiting. The states it stores from them are its own,
   * so the next level's segments come out about as large as the work each
   * thread did: the share evens out by itself, level after level.
   */
  expand(depth: number, sizes: ReadonlyArray<number>): Level<S> {
    const chunks = this.chunks(depth, sizes)
    for (let step = chunks.next(); ; step = chunks.next()) if (step.done === true) return step.value
  }

  /**
   * `expand`, letting the event loop turn after every chunk: how the main
   * thread takes part, so that a signal handler can stop the search while
   * it is in the middle of a level.
   */
  async expandYielding(depth: number, sizes: ReadonlyArray<number>): Promise<Level<S>> {
    const chunks = this.chunks(depth, sizes)
    let turnedAt = performance.now()
    for (let step = chunks.next(); ; step = chunks.next()) {
      if (step.done === true) return step.value
      // A turn of the event loop costs about as much as a chunk; one every few milliseconds is enough for Ctrl-C.
      if (performance.now() - turnedAt < YIELD_EVERY_MS) continue
      await new Promise((resolve) => setImmediate(resolve))
      turnedAt = performance.now()
    }
  }

  private *chunks(depth: number, sizes: ReadonlyArray<number>): Generator<void, Level<S>> {
    const next = this.own(depth + 1)
    next.clear()
    this.stoppedInside = undefined
    const { work } = this
    const startedAt = work.beginLevel()
    try {
      for (let i = 0; i < sizes.length; i++) {
        const segment = (this.segment + i) % sizes.length
        const size = sizes[segment]!
        const level = this.levels[segment]![depth % 2]!
        if (segment !== this.segment) level.filledTo(size)
        else if (level.size !== size) throw new RangeError(`segment ${segment} holds ${level.size} states of its level, the main thread counts ${size}`)
        // Stopped is asked before a chunk is taken, not after: a chunk taken is a chunk expanded (see `unexpandedIds`).
        for (let start = 0; !this.claims.stopped && (start = this.claims.claim(segment, size)) >= 0; ) {
          const end = Math.min(start + CHUNK, size)
          work.expanded += end - start
          if (segment !== this.segment) work.stolen += end - start
          if (!this.search.expandSlice(level, depth, next, start, end)) {
            this.stoppedInside = { segment, end }
            this.claims.stop()
            return next
          }
          yield
        }
      }
      return next
    } finally {
      work.replaySteps = this.rebuilder.steps
      work.endLevel(startedAt)
      this.table.flush()
      this.barrier.leave()
    }
  }
}
