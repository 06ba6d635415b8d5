/**
 * `always` is a safety invariant: every reachable state satisfies it.
 * `sometimes` is reachability: some reachable state satisfies it; one never
 * satisfied means the spec cannot do the interesting thing (it is vacuous).
 * A client history's linearizability is an `always` property over the
 * history a state carries.
 *
 * `eventually` and `leadsTo` are liveness: every behaviour that is fair (see
 * `Model.fairness`) reaches a state satisfying `holds`, from the start or
 * from every state satisfying `premise`. A violation is a lasso: a path to a
 * cycle (or a state the system may stay in) that never satisfies `holds`.
 */
export type PropertyKind = "always" | "sometimes" | "eventually" | "leadsTo"

export interface Property<S> {
  readonly kind: PropertyKind
  readonly name: string
  holds(state: S): boolean
  /** `leadsTo` only: the states from which `holds` must eventually be reached. */
  premise?(state: S): boolean
}

export const always = <S>(name: string, holds: (state: S) => boolean): Property<S> => ({
  kind: "always",
  name,
  holds
})

export const sometimes = <S>(name: string, holds: (state: S) => boolean): Property<S> => ({
  kind: "sometimes",
  name,
  holds
})

/** `<>holds`: every fair behaviour reaches a state satisfying `holds`. */
export const eventually = <S>(name: string, holds: (state: S) => boolean): Property<S> => ({
  kind: "eventually",
  name,
  holds
})

/** `premise ~> holds`: from every reachable state satisfying `premise`, every fair behaviour reaches `holds`. */
export const leadsTo = <S>(name: string, premise: (state: S) => boolean, holds: (state: S) => boolean): Property<S> => ({
  kind: "leadsTo",
  name,
  holds,
  premise
})

export const isLiveness = (kind: PropertyKind): boolean => kind === "eventually" || kind === "leadsTo"

/**
 * A safety property of every step rather than every state, as TLA+'s
 * `[][A]_v`: "a leader's log only grows" relates a state to its successor.
 * A violation is reported as an `always` violation whose trace ends with the
 * offending step.
 */
export interface TransitionProperty<S> {
  readonly name: string
  holds(before: S, after: S): boolean
}

export const alwaysStep = <S>(name: string, holds: (before: S, after: S) => boolean): TransitionProperty<S> => ({
  name,
  holds
})
