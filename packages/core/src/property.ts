/**
 * `always` is a safety invariant: every reachable state satisfies it.
 * `sometimes` is reachability: some reachable state satisfies it; one never
 * satisfied means the spec cannot do the interesting thing (it is vacuous).
 * A client history's linearizability is an `always` property over the
 * history a state carries.
 */
export type PropertyKind = "always" | "sometimes"

export interface Property<S> {
  readonly kind: PropertyKind
  readonly name: string
  holds(state: S): boolean
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
