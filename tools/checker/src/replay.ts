import type { Model } from "@parley/core/model"
import type { Path } from "./types.ts"

/** A path that does not replay: the model is not deterministic, or the path belongs to another model. */
export class ReplayError extends Error {
  override readonly name = "ReplayError"
}

export interface ReplayedStep<S, A> {
  readonly action: A
  readonly state: S
}

/**
 * Rebuilds the states along a path by replaying its action indices from the
 * initial state, as the checker stores no states. The model must be
 * deterministic: the same state must enable the same actions in the same order.
 */
export const replay = <S, A>(
  model: Model<S, A>,
  path: Path
): { readonly initial: S; readonly steps: ReadonlyArray<ReplayedStep<S, A>> } => {
  const initial = model.init()[path.initIndex]
  if (initial === undefined) throw new ReplayError(`the model has no initial state #${path.initIndex}`)
  const steps: Array<ReplayedStep<S, A>> = []
  let state = initial
  for (const [depth, index] of path.actionIndices.entries()) {
    const action = model.actions(state)[index]
    const next = action === undefined ? undefined : model.next(state, action)
    if (action === undefined || next === undefined) {
      throw new ReplayError(`step ${depth + 1}: action #${index} is not enabled on replay; is the model deterministic?`)
    }
    steps.push({ action, state: next })
    state = next
  }
  return { initial, steps }
}
