import type { GrowthBarrier } from "./growth-barrier.ts"
import { CHUNK } from "./level-claims.ts"
import type { LevelClaims } from "./level-claims.ts"
import type { Level, LevelBuffers } from "./level.ts"
import type { Search } from "./search.ts"
import type { StateTable } from "./state-table.ts"

/**
 * The buffers of every segment of a level, by parity of depth: segment 0 is
 * the main thread's, segment `i` worker thread `i`'s.
 */
export type SegmentBuffers = ReadonlyArray<readonly [LevelBuffers, LevelBuffers]>

/**
 * One thread's part in expanding a BFS level with the others: it writes
 * the states it stores into its own segment of the next level, and expands
 * chunks of every segment of this one, its own first (see `LevelClaims`).
 * The main thread takes part as segment 0, as the workers do.
 */
export class LevelShare<S> {
  /** Per segment and parity, this thread's view of that part of a level: its own it writes, the others it reads. */
  private readonly levels: ReadonlyArray<readonly [Level<S>, Level<S>]>

  constructor(
    private readonly search: Search<S, unknown>,
    segments: SegmentBuffers,
    readonly segment: number,
    private readonly claims: LevelClaims,
    private readonly barrier: GrowthBarrier,
    private readonly table: StateTable
  ) {
    const rebuild = (id: number): S => search.rebuild(id)
    this.levels = segments.map(([even, odd]) => [search.newLevel(even, rebuild), search.newLevel(odd, rebuild)])
  }

  /** This thread's own segment of the level at `depth`. */
  own(depth: number): Level<S> {
    return this.levels[this.segment]![depth % 2]!
  }

  /**
   * Expands level `depth`, whose segments hold `sizes` states, with the
   * other threads; returns this thread's part of the next. With `steal`
   * false it expands only its own segment: taking another's states costs a
   * replay each when they are kept live, many times what expanding one
   * costs, so it is worth it only where this thread would otherwise have
   * nothing to do (the level the main thread hands over).
   */
  expand(depth: number, sizes: ReadonlyArray<number>, steal: boolean): Level<S> {
    const next = this.own(depth + 1)
    next.clear()
    try {
      for (let i = 0; i < (steal ? sizes.length : 1); i++) {
        const segment = (this.segment + i) % sizes.length
        const size = sizes[segment]!
        const level = this.levels[segment]![depth % 2]!
        if (segment !== this.segment) level.filledTo(size)
        else if (level.size !== size) throw new RangeError(`segment ${segment} holds ${level.size} states of its level, the main thread counts ${size}`)
        if (!this.expandSegment(level, segment, depth, next)) {
          this.claims.stop()
          break
        }
      }
      return next
    } finally {
      this.table.flush()
      this.barrier.leave()
    }
  }

  /** Chunks of one segment until none is left or some thread stops the search; false when this one does. */
  private expandSegment(level: Level<S>, segment: number, depth: number, next: Level<S>): boolean {
    for (let start = this.claims.claim(segment, level.size); start >= 0 && !this.claims.stopped; start = this.claims.claim(segment, level.size)) {
      if (!this.search.expandSlice(level, depth, next, start, Math.min(start + CHUNK, level.size))) return false
    }
    return true
  }
}
