import { eventLabel } from "@parley/checker"
import type { Model } from "@parley/core"

/** The states along a path: `states[0]` the initial one, `states[i]` the one after step `i`, reached by `actions[i - 1]`. */
export interface Walk<S, A> {
  readonly states: ReadonlyArray<S>
  readonly actions: ReadonlyArray<A>
}

/** The action's name as traces give it: the spec's own, or what it does. */
export const actionName = <S, A>(model: Model<S, A>, state: S, action: A): string =>
  model.actionName?.(state, action) ?? eventLabel(model.describe(state, action))

const where = (step: number): string => step === 0 ? "in the initial state" : `after step ${step}`

/**
 * Replays a path of action indices from initial state `init`, as the checker
 * rebuilds a trace, or says at which step it stops being one: an index no
 * action has there, or an action that changes nothing (the checker takes no
 * such step).
 */
export const walk = <S, A>(model: Model<S, A>, init: number, path: ReadonlyArray<number>): Walk<S, A> | string => {
  const initials = model.init()
  const initial = initials[init]
  if (initial === undefined) {
    return `the spec has ${initials.length} initial state${initials.length === 1 ? "" : "s"} (#0–#${initials.length - 1}), not #${init}`
  }
  const states: Array<S> = [initial]
  const actions: Array<A> = []
  let state = initial
  for (const [step, index] of path.entries()) {
    const enabled = model.actions(state)
    const action = enabled[index]
    if (action === undefined) {
      const range = enabled.length === 0 ? "none is" : `only ${enabled.length} (#0–#${enabled.length - 1}) are`
      return `step ${step + 1} of the path is action #${index}, but ${range} enabled ${where(step)}`
    }
    const next = model.next(state, action)
    if (next === undefined) {
      return `step ${step + 1} of the path, action #${index} (${actionName(model, state, action)}), changes nothing ${where(step)}`
    }
    actions.push(action)
    states.push(next)
    state = next
  }
  return { states, actions }
}
