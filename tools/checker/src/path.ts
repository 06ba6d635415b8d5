/**
 * A path from an initial state: the index of the initial state in
 * `model.init()`, then, for each step, the index of the action taken in
 * `model.actions(state)`. Replaying it rebuilds every state.
 */
export interface Path {
  readonly initIndex: number
  readonly actionIndices: ReadonlyArray<number>
}
