import type { Exploration, Frontier, StrategyRun } from "./exploration.ts"
import { seededRandom } from "./random.ts"

const DEFAULT_WALKS = 1000
const DEFAULT_WALK_LENGTH = 100
/** Walks between two pauses of an interruptible run. */
const WALKS_PER_SLICE = 64

/**
 * Random walks, for configurations too large to exhaust: each walk starts
 * at a random initial state and takes a successor chosen uniformly among
 * those inside the boundary, until `maxDepth` steps or a state with none.
 * Every state met is stored, so distinct states are counted and a
 * violation's trace is a path of recorded steps, as in the other
 * strategies. A walk is drawn from the seed alone, so a seed reproduces it.
 * The result is never `ok`: the walks prove nothing about the states they missed.
 */
export const randomWalks = <S, A>(explored: Exploration<S, A>): StrategyRun => {
  const { options } = explored
  const random = seededRandom(options.seed ?? 0)
  const walks = options.walks ?? DEFAULT_WALKS
  const length = options.maxDepth ?? DEFAULT_WALK_LENGTH
  const walker = new Walker(explored, random, length)
  let walksRun = 0
  return {
    *slices() {
      explored.bounded = true
      for (let walk = 0; walk < walks; walk++) {
        if (explored.stopping()) return
        if (walk > 0 && walk % WALKS_PER_SLICE === 0) yield
        walksRun = walk + 1
        if (!walker.walk()) return
      }
    },
    finish: () => explored.finish({ walks: walksRun })
  }
}

/** Walks are stored and checked, but nothing is queued: the walk itself picks the next state. */
const discard: Frontier<never> = { push: () => {}, size: 0 }

class Walker<S, A> {
  private readonly initial: ReadonlyArray<S>
  /** The successors inside the boundary of the state the walk is at, with their action indices: reused from step to step. */
  private readonly successors: Array<S> = []
  private readonly indices: Array<number> = []
  /** Positions in `successors` of those not stored yet: reused from step to step. */
  private readonly fresh: Array<number> = []

  constructor(private readonly explored: Exploration<S, A>, private readonly random: () => number, private readonly length: number) {
    this.initial = explored.model.init()
  }

  /** One walk; false when the search must stop (a violation, or the state bound). */
  walk(): boolean {
    const { explored, random } = this
    const initIndex = Math.floor(random() * this.initial.length)
    let state = this.initial[initIndex]!
    explored.generated++
    if (!explored.admit(state, -1, initIndex, 0, discard)) return false
    let id = explored.lastTarget
    for (let depth = 0; depth < this.length && id >= 0; depth++) {
      const enabled = this.gatherSuccessors(state)
      if (!enabled && !explored.endHolds(state, id)) return false
      if (this.successors.length === 0) break
      const pick = this.pick()
      const next = this.successors[pick]!
      const action = this.indices[pick]!
      explored.generated++
      if (!explored.stepHolds(state, next, id, action)) return false
      if (!explored.admit(next, id, action, depth + 1, discard)) return false
      state = next
      id = explored.lastTarget
      explored.countExpanded(0, depth)
    }
    return true
  }

  /** The successor to step to: uniformly among them, or with `preferNew` among those not stored yet, if any. */
  private pick(): number {
    const { successors, random, explored } = this
    if (explored.options.preferNew !== true) return Math.floor(random() * successors.length)
    const fresh = this.fresh
    fresh.length = 0
    for (let i = 0; i < successors.length; i++) if (!explored.isStored(successors[i]!)) fresh.push(i)
    return fresh.length > 0 ? fresh[Math.floor(random() * fresh.length)]! : Math.floor(random() * successors.length)
  }

  /** Fills `successors` with those of `state` inside the boundary; whether any action was enabled at all. */
  private gatherSuccessors(state: S): boolean {
    const { model } = this.explored
    const { successors, indices } = this
    successors.length = 0
    indices.length = 0
    const actions = model.actions(state)
    let enabled = false
    for (let index = 0; index < actions.length; index++) {
      const next = model.next(state, actions[index]!)
      if (next === undefined) continue
      enabled = true
      if (model.within !== undefined && !model.within(next)) continue
      successors.push(next)
      indices.push(index)
    }
    return enabled
  }
}
