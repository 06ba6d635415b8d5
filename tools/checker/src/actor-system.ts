import type { BuiltSpec, Model, SystemSpec, SystemState } from "@parley/core/model"
import { CachedSteps } from "./cached-steps.ts"
import { ENCODED_STEPS } from "./encoded-steps.ts"
import type { WithEncodedSteps } from "./encoded-steps.ts"
import { PropertyMemo } from "./property-memo.ts"
import { PARTIAL_ORDER } from "./sleep-sets.ts"
import type { WithPartialOrder } from "./sleep-sets.ts"
import { SystemStore } from "./system-store.ts"
import { StoredSymmetry } from "./stored-symmetry.ts"
import { systemSymmetry } from "./symmetry.ts"
import { SystemIndependence } from "./system-independence.ts"
import { SystemSteps } from "./system-steps.ts"
import type { SystemAction } from "./system-steps.ts"
import { describeStep, systemLanes } from "./system-view.ts"

export { UnknownAddressError } from "./system-steps.ts"
export type { SystemAction } from "./system-steps.ts"

/** A `BuiltSpec` as the Model the checker explores. */
export const toModel = (built: BuiltSpec): Model<unknown, unknown> =>
  built._tag === "Model" ? built.model : systemModel(built.system) as Model<unknown, unknown>

/**
 * Turns actors, clients, network semantics and a crash budget into a Model:
 * its steps are `SystemSteps`', taken through `CachedSteps` so that states
 * are kept as words (its `codec`) and each node's step is computed once per
 * slot and event, and the search takes them as words (`EncodedSteps`); its
 * properties are evaluated once per state apart from the network when they
 * do not read it (`property-memo.ts`); its
 * trace events and lanes are `system-view.ts`'s. Its steps that commute are
 * declared for partial-order reduction (see `system-independence.ts`).
 */
export const systemModel = <S, M, T, Req, Res, D, CS, CT>(
  spec: SystemSpec<S, M, T, Req, Res, D, CS, CT>
): WithPartialOrder<SystemState<S, M, T, Req, Res, D, CS, CT>, SystemAction> & WithEncodedSteps<SystemState<S, M, T, Req, Res, D, CS, CT>, SystemAction> => {
  type State = SystemState<S, M, T, Req, Res, D, CS, CT>
  const steps = new SystemSteps(spec)
  const cached = storable(steps) ? new CachedSteps(steps) : undefined
  const stepper = cached ?? steps
  const { within, terminal, symmetric } = spec
  return {
    init: () => [stepper.initialState()],
    actions: (state) => stepper.actions(state),
    next: (state, action) => stepper.next(state, action),
    ...(cached === undefined ? {} : { codec: cached.store.codec() }),
    properties: cached === undefined ? spec.properties : new PropertyMemo(cached.store).wrap(spec.properties),
    ...(spec.transitions === undefined ? {} : { transitions: spec.transitions }),
    ...(within === undefined ? {} : { within: (state: State) => within.call(spec, state) }),
    ...(terminal === undefined ? {} : { terminal: (state: State) => terminal.call(spec, state) }),
    fairness: (state, action) => steps.fairness(state, action),
    ...(symmetric === undefined ? {} : { symmetryFingerprint: symmetryOf(steps, cached, symmetric) }),
    describe: (state, action) => describeStep(steps, state, action),
    lanes: (state) => systemLanes(steps, state),
    ...(cached === undefined ? {} : { [PARTIAL_ORDER]: new SystemIndependence(cached, steps.nodeIds, steps.clientIds, spec.network), [ENCODED_STEPS]: cached })
  }
}

/** The orbit fingerprint `--symmetry` stores: over the store's parts when states are kept as words, else over live states. */
const symmetryOf = <S, M, T, Req, Res, D, CS, CT>(
  steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>,
  cached: CachedSteps<S, M, T, Req, Res, D, CS, CT> | undefined,
  symmetric: ReadonlyArray<string>
): ((state: SystemState<S, M, T, Req, Res, D, CS, CT>, out: Uint32Array) => void) => {
  const addresses = [...steps.nodeIds, ...steps.clientIds]
  if (cached === undefined || !StoredSymmetry.fits(symmetric)) return systemSymmetry(steps.nodeIds, addresses, symmetric)
  const stored = new StoredSymmetry(cached.store, steps.nodeIds, addresses, symmetric)
  return (state, out) => stored.fingerprint(state, out)
}

/**
 * Whether the system's states are made of the parts `SystemStore` keeps;
 * one with other parts is explored live, as `SystemSteps` builds it. A
 * system that cannot even start (it sends to a node it does not declare)
 * fails when the search starts it, as it would without the store.
 */
const storable = <S, M, T, Req, Res, D, CS, CT>(steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>): boolean => {
  let initial: object
  try {
    initial = steps.initialState()
  } catch {
    return true
  }
  return SystemStore.keeps(initial)
}
