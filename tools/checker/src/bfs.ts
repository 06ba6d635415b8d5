import type { Exploration } from "./exploration.ts"
import { Level } from "./level.ts"
import type { LevelBuffers } from "./level.ts"
import { replay } from "./replay.ts"
import type { StateTable } from "./state-table.ts"
import type { CheckResult, SearchPosition, SearchSnapshot } from "./types.ts"

/** States a BFS expands between two pauses of an interruptible run. */
const SLICE = 4096

/**
 * Breadth-first search, level by level, so the first violation found has a
 * shortest counterexample. A level is kept as words when the model has a
 * codec (see `Level`). At each level's end `onLevel` may take a checkpoint;
 * a search stopped on request reports where it stood through `onStopped`,
 * and a search given `resume` goes on from such a snapshot.
 *
 * The threads of a parallel search each expand their share of a level with
 * `expandSlice` (see `LevelShare`).
 */
export class BreadthFirst<S, A> {
  /** Where the BFS stands: the level being expanded, from which state, and the next level so far. */
  private position: { depth: number; level: Level<S>; from: number; next: Level<S> }

  constructor(readonly explored: Exploration<S, A>) {
    this.position = { depth: 0, level: this.newLevel(), from: 0, next: this.newLevel() }
  }

  /** The search, pausing after every `SLICE` states expanded, so that an asynchronous caller can let the event loop run between them. */
  *slices(): Generator<void, void> {
    let { level, next } = this.position
    if (!this.start(level, next)) return
    let depth = this.position.depth
    while (level.size > 0) {
      for (let from = 0; from < level.size; from += SLICE) {
        if (!this.expandSlice(level, depth, next, from, Math.min(from + SLICE, level.size))) return
        yield
      }
      // The level just expanded is emptied and becomes the next one, keeping its buffers.
      level.clear()
      ;[level, next] = [next, level]
      depth++
      this.position = { depth, level, from: 0, next }
      this.explored.options.onLevel?.(this)
    }
  }

  /** Fills the first level: the initial states, or a resumed search's frontier. False when the search must stop. */
  private start(level: Level<S>, next: Level<S>): boolean {
    const resume = this.explored.options.resume
    if (resume === undefined) return this.seed(level)
    this.position.depth = resume.depth
    for (const id of resume.pending) level.push(this.rebuild(id), id)
    for (const id of resume.next) next.push(this.rebuild(id), id)
    return true
  }

  /** The result; a search stopped on request first reports where it stood. */
  finish(): CheckResult {
    if (this.explored.interrupted) this.explored.options.onStopped?.(this)
    const figures = this.explored.model.codec === undefined ? {} : { frontierBytes: this.frontierBytes }
    return this.explored.finish(figures)
  }

  /** Stores and checks the initial states, queueing them in `level`. False when the search must stop. */
  seed(level: Level<S>): boolean {
    return this.explored.seed(level)
  }

  /** A state of the table rebuilt by replaying its path: how a resumed search gets its frontier back. */
  rebuild(id: number): S {
    const { initial, steps } = replay(this.explored.model, this.explored.table.pathTo(id))
    return steps.at(-1)?.state ?? initial
  }

  /** An empty level for this model's states: kept as words when the model has a codec. */
  newLevel(shared?: LevelBuffers, rebuild?: (id: number) => S): Level<S> {
    return new Level(this.explored.model.codec, shared, rebuild)
  }

  /**
   * Expands every state of one level into `next`. False when the search
   * must stop: a violation, the state bound reached, or a stop asked for.
   */
  expandLevel(level: Level<S>, depth: number, next: Level<S>): boolean {
    return this.expandSlice(level, depth, next, 0, level.size)
  }

  /** `expandLevel` for the states of `level` from `from` to `to`; a stop leaves `stoppedAt` at the first not expanded. */
  expandSlice(level: Level<S>, depth: number, next: Level<S>, from: number, to: number): boolean {
    const explored = this.explored
    for (let i = from; i < to; i++) {
      if (explored.stopping()) {
        this.position = { depth, level, from: i, next }
        return false
      }
      if (!explored.expand(level.stateAt(i), level.idAt(i), depth, next, level.size - i)) return false
      explored.joinRehash?.()
    }
    return true
  }

  /** The index, in the level it was expanding, of the state a stopped BFS did not expand. */
  get stoppedAt(): number {
    return this.position.from
  }

  get stateTable(): StateTable {
    return this.explored.table
  }

  /** Where the BFS stands, at a level's end or where it was stopped (see `SearchSnapshot`). */
  snapshot(): SearchSnapshot {
    const { depth, level, from, next } = this.position
    return this.explored.snapshot(depth, level.idsFrom(from), next.idsFrom(0))
  }

  /** Where the search stands when `level`, at `depth`, is all that is left to expand: a parallel search's position before it shares a level out. */
  atLevel(depth: number, level: Level<S>): SearchPosition {
    return {
      stateTable: this.explored.table,
      snapshot: () => this.explored.snapshot(depth, level.idsFrom(0), [])
    }
  }

  /** Bytes of the sequential BFS's two levels, which only grow: the frontier's peak. */
  private get frontierBytes(): number {
    return this.position.level.bytes + this.position.next.bytes
  }
}
