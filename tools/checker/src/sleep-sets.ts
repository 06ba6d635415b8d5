import type { Model } from "@parley/core/model"
import { LevelSleep } from "./level-sleep.ts"

/**
 * Partial-order reduction by sleep sets (Godefroid 1996, chapter 5), in a
 * breadth-first search: a step is not taken from a state when the search
 * takes the same step, in the other order, from a state it stores anyway.
 * Sleep sets prune transitions, never states: the search stores exactly the
 * states it stores without them, each at the same depth, so every `always`
 * invariant (linearizability over the history included) is checked on every
 * state, every `sometimes` property is reached where it was, and a shortest
 * counterexample has the same length. Only the steps taken drop.
 *
 * The rule, for a model that says which of its steps commute (`PartialOrder`):
 * when state `q` is expanded, its enabled steps are taken in order, and the
 * state `t = x(q)` that step `x` stores for the first time is given the sleep
 * set `Z(t)`: every step `c` taken from `q` before `x` whose successor `c(q)`
 * lies inside the boundary (so is stored) and that commutes with `x` at `q`
 * (`x` is enabled at `c(q)`, `c` at `t`, and `x(c(q)) = c(t)`). Expanding
 * `t`, the steps of `Z(t)` are not taken. A state met again keeps the sleep
 * set it was stored with: no sleep set is ever widened, nor inherited from
 * `q`'s own, which keeps the rule sound with a boundary and with a state
 * table (the classic pitfalls of sleep sets with state caching).
 *
 * Why no state is lost. Claim: for every expanded state `t` and every `c` in
 * `Z(t)`, `c(t)` is stored, at depth at most `depth(t) + 1`, or lies outside
 * the boundary. By induction on (depth, the time the state was first stored):
 * `c(q)` was stored before `t` (`c` was taken from `q` before `x`), at depth
 * at most `depth(t)`; from `c(q)` the step `x` leads to `x(c(q)) = c(t)`, and
 * either `x` is taken there, or `x` is in `Z(c(q))` and the claim holds for
 * `c(q)`, which comes first in the order. Then every state at distance `k`
 * from an initial state is stored at depth `k`: its predecessor `p` on a
 * shortest path is (induction), and the step from `p` is taken or asleep.
 * The argument needs no particular order of discovery, so it holds on many
 * threads (each thread keeps the sleep sets of the states it stored; a
 * state expanded by another thread, or rebuilt from a checkpoint, has an
 * empty sleep set, which is always sound), and under symmetry reduction,
 * where a stored state stands for its orbit (commuting steps map to
 * commuting steps under a renaming of interchangeable nodes).
 *
 * What it does not cover: a step property (`alwaysStep`) relates a state to
 * its successor, and a step asleep is a step not taken, so each one is
 * still computed and checked, though its successor is not looked up or
 * stored; liveness needs every edge of the state graph, so sleep sets are
 * off with `--liveness`; a depth-first search or random walks do not use them.
 */
export interface PartialOrder<S, A> {
  /** What the search needs to know of the steps enabled in `state` (`actions`, as `Model.actions` listed them). */
  footprints(state: S, actions: ReadonlyArray<A>): Footprints<S>
}

/** The steps enabled in one state, by their index in its list of actions. */
export interface Footprints<S> {
  /**
   * Each step's name across states: a step of state `q` and a step of a
   * state `x(q)` share a key exactly when they are the same step, for every
   * step `x` that commutes with it. Keys are numbers a thread may give out
   * as it likes; they never leave it.
   */
  readonly keys: ReadonlyArray<number>
  /** Whether steps `i` and `j`, both enabled here, leading to `afterI` and `afterJ`, commute: see `PartialOrder`. */
  independent(i: number, afterI: S, j: number, afterJ: S): boolean
}

/** Where a model that declares its commuting steps keeps the declaration; the checker's own, never a spec's. */
export const PARTIAL_ORDER: unique symbol = Symbol("parley.partialOrder")

/** A model with its steps' independence declared (an actor system's, see `actor-system.ts`). */
export type WithPartialOrder<S, A> = Model<S, A> & { readonly [PARTIAL_ORDER]?: PartialOrder<S, A> }

export const partialOrderOf = <S, A>(model: Model<S, A>): PartialOrder<S, A> | undefined => (model as WithPartialOrder<S, A>)[PARTIAL_ORDER]

/**
 * One thread's sleep sets: the one of each state it stored in the level
 * being expanded and the next (see `LevelSleep`), and the expansion under way. `begin` a state, ask
 * `asleep` of each of its steps, tell `taken` of each step taken, in order.
 */
export class SleepSets<S, A> {
  /** The sleep sets of the level being expanded, and of the next one, which its expansion stores. */
  private current = new LevelSleep()
  private next = new LevelSleep()
  private depth = -1
  /** Where the sleep set of the state being expanded starts in `current`, and its length. */
  private sleepingAt = -1
  private sleepingLength = 0
  /** The state being expanded and its steps; their footprints are worked out only once a sleep set needs them. */
  private state: S | undefined
  private actions: ReadonlyArray<A> = []
  private known: Footprints<S> | undefined
  /** The steps taken so far from the state being expanded whose successors were stored: their indices and successors. */
  private readonly takenIndices: Array<number> = []
  private readonly takenStates: Array<S> = []
  private readonly keys: Array<number> = []
  /** Steps not taken because they were asleep, over the whole search. */
  skipped = 0

  /** `storedSoFar`: how many states the table holds, which bounds from below the ids stored from now on. */
  constructor(private readonly order: PartialOrder<S, A>, private readonly storedSoFar: () => number) {}

  /** Starts the expansion of state `id`, at `depth`, whose steps are `actions`. */
  begin(state: S, id: number, depth: number, actions: ReadonlyArray<A>): void {
    if (depth !== this.depth) {
      // A new level: the sleep sets its expansion reads are the ones the last level's stored.
      ;[this.current, this.next] = [this.next, this.current]
      this.next.reset(this.storedSoFar())
      this.depth = depth
    }
    this.sleepingAt = this.current.find(id)
    this.sleepingLength = this.sleepingAt < 0 ? 0 : this.current.lengthAt(this.sleepingAt)
    this.state = state
    this.actions = actions
    this.known = undefined
    this.takenIndices.length = 0
    this.takenStates.length = 0
  }

  /** Whether step `index` of the state being expanded is asleep: then it is not taken. */
  asleep(index: number): boolean {
    if (this.sleepingLength === 0) return false
    const key = this.footprints().keys[index]!
    for (let k = 0; k < this.sleepingLength; k++) {
      if (this.current.keyAt(this.sleepingAt + k) === key) {
        this.skipped++
        return true
      }
    }
    return false
  }

  /**
   * Step `index` was taken to `after`, whose id is `target` (-1 outside the
   * boundary); `stored`: the step stored it for the first time, so it gets
   * its sleep set now.
   */
  taken(index: number, after: S, target: number, stored: boolean): void {
    if (target < 0) return
    if (stored && this.takenIndices.length > 0) {
      const footprints = this.footprints()
      let count = 0
      for (let k = 0; k < this.takenIndices.length; k++) {
        const earlier = this.takenIndices[k]!
        if (footprints.independent(earlier, this.takenStates[k]!, index, after)) this.keys[count++] = footprints.keys[earlier]!
      }
      if (count > 0) this.next.store(target, this.keys, count)
    }
    this.takenIndices.push(index)
    this.takenStates.push(after)
  }

  /** The expansion is over: its state and successors are let go. */
  end(): void {
    this.state = undefined
    this.known = undefined
    this.takenStates.length = 0
  }

  private footprints(): Footprints<S> {
    return this.known ??= this.order.footprints(this.state!, this.actions)
  }
}
