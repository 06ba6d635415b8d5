import type { Property, TransitionProperty } from "./property.ts"
import type { StateCodec } from "./state-codec.ts"
import type { StepEvent } from "./trace.ts"

/**
 * The general form the checker explores, as in TLA+ and Stateright. A
 * TLA+-style spec is written directly as a Model; an `ActorSystem` turns
 * actors, clients, a network and a fault budget into one.
 *
 * Members are methods so that a `Model<TwoPhaseState, TwoPhaseAction>` can be
 * held as a `Model<unknown, unknown>` in the spec registry.
 */
export interface Model<S, A> {
  init(): ReadonlyArray<S>
  /** The actions enabled in `state`, in a deterministic order: traces are rebuilt by replaying action indices. */
  actions(state: S): ReadonlyArray<A>
  /** The successor, or `undefined` when the action changes nothing worth exploring. */
  next(state: S, action: A): S | undefined
  readonly properties: ReadonlyArray<Property<S>>
  /** Properties of every step, checked on each transition the search takes within the boundary. */
  readonly transitions?: ReadonlyArray<TransitionProperty<S>>
  /**
   * The boundary of the search, so that a spec's bounds (max term, max
   * requests) live here instead of inside its reducer. A state outside it is
   * neither checked nor explored, as Stateright's `within_boundary`.
   */
  within?(state: S): boolean
  /**
   * The weak-fairness class of an action, or undefined for one the system may
   * neglect forever (a crash, a lost message). Liveness properties hold under
   * weak fairness of every class: a behaviour in which a class stays enabled
   * from some point on must take it, so a cycle counts as a counterexample
   * only if each class enabled in every one of its states is taken in it.
   * Without it no action is fair, and any cycle or stop is a counterexample.
   */
  fairness?(state: S, action: A): string | undefined
  /**
   * Symmetry reduction: writes a fingerprint shared by every state of this
   * state's orbit under the spec's interchangeable values (nodes, resource
   * managers) — the fingerprint of one representative. With `--symmetry` the
   * checker stores it instead of the state's own, exploring one state per
   * orbit. Sound only when the properties cannot tell the members apart.
   */
  symmetryFingerprint?(state: S, out: Uint32Array): void
  /**
   * States as a few 32-bit words. With it the checker keeps its frontier in
   * typed arrays instead of live objects, hashes the words instead of
   * walking the state, and hands states between worker threads as words.
   */
  readonly codec?: StateCodec<S>
  /** States where having no successor is the expected end, not a deadlock. */
  terminal?(state: S): boolean
  /** The action's name in a trace, as the spec names it (`TMRcvPrepared(rm2)`); derived from `describe` when absent. */
  actionName?(state: S, action: A): string
  /** What an action does, as structured data a trace renderer can draw. */
  describe(state: S, action: A): StepEvent
  /** Per-node views of a state, one trace column each, in column order. */
  lanes(state: S): Readonly<Record<string, unknown>>
}
