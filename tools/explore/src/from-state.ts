import type { Model } from "@parley/core"

/**
 * The model with one initial state, `state`: what "check from here" searches.
 * Every other member is the model's own, called on it.
 */
export const startingAt = <S, A>(model: Model<S, A>, state: S): Model<S, A> => {
  const { within, fairness, symmetryFingerprint, codec, terminal, actionName, transitions } = model
  return {
    init: () => [state],
    actions: (s) => model.actions(s),
    next: (s, a) => model.next(s, a),
    properties: model.properties,
    describe: (s, a) => model.describe(s, a),
    lanes: (s) => model.lanes(s),
    ...(transitions === undefined ? {} : { transitions }),
    ...(codec === undefined ? {} : { codec }),
    ...(within === undefined ? {} : { within: (s: S) => within.call(model, s) }),
    ...(fairness === undefined ? {} : { fairness: (s: S, a: A) => fairness.call(model, s, a) }),
    ...(symmetryFingerprint === undefined ? {} : { symmetryFingerprint: (s: S, out: Uint32Array) => symmetryFingerprint.call(model, s, out) }),
    ...(terminal === undefined ? {} : { terminal: (s: S) => terminal.call(model, s) }),
    ...(actionName === undefined ? {} : { actionName: (s: S, a: A) => actionName.call(model, s, a) })
  }
}
