import type { Model } from "@parley/core/model"
import { ReplayError } from "./replay.ts"
import type { StateTable } from "./state-table.ts"

/**
 * Rebuilt states kept at most: the ancestors of the states taken lately,
 * whose own ancestors the next ones taken share. Past it the memory starts
 * again, which costs the next few a longer replay.
 */
const KEPT_AT_MOST = 1 << 16

/**
 * Rebuilds states another thread stored, from their ids, by replaying the
 * steps from an initial state along the table's parent links, as a thread
 * of a parallel search must for a state kept as another thread's words
 * (see `LevelShare`). The states rebuilt are remembered, so a state whose
 * parent (or any ancestor) was rebuilt before costs only the steps below
 * it: the states of a chunk of a level are siblings and cousins, stored by
 * one thread as it expanded their parents in order, so a chunk costs about
 * one step a state rather than one per level of depth.
 */
export class PathRebuilder<S, A> {
  private readonly rebuilt = new Map<number, S>()
  /** Steps replayed so far: a replay from an initial state costs its depth. */
  steps = 0

  constructor(private readonly model: Model<S, A>, private readonly table: StateTable) {}

  /** The state stored under `id`. */
  stateOf(id: number): S {
    const { table, rebuilt } = this
    const below: Array<number> = []
    let current = id
    let state = rebuilt.get(current)
    while (state === undefined && !table.isRoot(current)) {
      below.push(current)
      current = table.parentOf(current)
      state = rebuilt.get(current)
    }
    if (state === undefined) state = this.initial(table.actionOf(current), current)
    for (let k = below.length - 1; k >= 0; k--) {
      const child = below[k]!
      state = this.step(state, table.actionOf(child), child)
    }
    return state
  }

  private initial(index: number, id: number): S {
    const state = this.model.init()[index]
    if (state === undefined) throw new ReplayError(`the model has no initial state #${index}`)
    return this.remember(id, state)
  }

  private step(state: S, index: number, id: number): S {
    const { model } = this
    this.steps++
    const action = model.actions(state)[index]
    const next = action === undefined ? undefined : model.next(state, action)
    if (action === undefined || next === undefined) throw new ReplayError(`state ${id}: action #${index} is not enabled on replay; is the model deterministic?`)
    return this.remember(id, next)
  }

  private remember(id: number, state: S): S {
    if (this.rebuilt.size >= KEPT_AT_MOST) this.rebuilt.clear()
    this.rebuilt.set(id, state)
    return state
  }
}
