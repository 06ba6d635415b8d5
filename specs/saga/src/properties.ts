/**
 * What a saga promises (Garcia-Molina and Salem, "Sagas", 1987: the system
 * runs either T1…Tn or T1…Tj Cj…C1), stated over the services' ledgers so
 * that both specs are held to the same promises, whoever drives the saga.
 */
import { always, eventually, sometimes } from "@parley/core"
import type { Property } from "@parley/core"
import { allCompensated, allDone, compensatedInReverse, eachEffectOnce } from "./ledger.ts"
import type { Ledger } from "./ledger.ts"

export type Outcome = "completed" | "compensated"

/** How a spec's system state reads as a saga. */
export interface SagaReading<S> {
  readonly steps: number
  /** Every service's ledger, live or as its durable record keeps it. */
  ledgers(state: S): ReadonlyArray<Ledger>
  /** What the node that ends the saga (the orchestrator, the order service) says its outcome is, or undefined while it runs. */
  outcome(state: S): Outcome | undefined
  /**
   * The saga has ended and the world has settled: an outcome is recorded, no
   * service has a decision pending, and every request or event still in
   * flight is one its receiver has handled already, so no effect can follow.
   */
  ended(state: S): boolean
}

/** At the end, either every step took effect and none was compensated, or every step that took effect was compensated. */
export const allOrNothing = <S>(r: SagaReading<S>) =>
  always<S>("AllOrNothing", (s) => !r.ended(s) || allDone(r.ledgers(s), r.steps) || allCompensated(r.ledgers(s), r.steps))

/** At the end, the recorded outcome is what the ledgers show: completed means every step, compensated means none left standing. */
export const outcomeMatches = <S>(r: SagaReading<S>) =>
  always<S>("OutcomeMatches", (s) => {
    if (!r.ended(s)) return true
    return r.outcome(s) === "completed" ? allDone(r.ledgers(s), r.steps) : allCompensated(r.ledgers(s), r.steps)
  })

/** Compensations take effect in reverse order of completion (see `compensatedInReverse`). */
export const reverseOrder = <S>(r: SagaReading<S>) => always<S>("ReverseOrder", (s) => compensatedInReverse(r.ledgers(s), r.steps))

/** No step or compensation takes effect twice, however often it was resent or delivered. */
export const atMostOnce = <S>(r: SagaReading<S>) => always<S>("AtMostOnce", (s) => eachEffectOnce(r.ledgers(s)))

/**
 * Liveness, checked with `--liveness`: every fair behaviour ends the saga,
 * completed or compensated, and settles. Fair means deliveries and timers
 * (see the checker's ActorSystem); a crash is not undone by fairness, since a
 * node may stay down forever.
 */
export const sagaEnds = <S>(r: SagaReading<S>) => eventually<S>("SagaEnds", (s) => r.ended(s))

export const sagaSafety = <S>(r: SagaReading<S>): ReadonlyArray<Property<S>> => [
  allOrNothing(r),
  outcomeMatches(r),
  reverseOrder(r),
  atMostOnce(r)
]

/** What a spec tells of its own states, from which `readSaga` reads them as a saga. */
export interface SagaStates<S, Slot> {
  /** A service's ledger in its node's slot, live or as its durable record keeps it; undefined for a node that has none. */
  ledgerOf(slot: Slot): Ledger | undefined
  outcome(state: S): Outcome | undefined
  /** No service has a decision pending, and every request or event in flight is one its receiver has handled already. */
  settled(state: S): boolean
}

/** A spec's states read as a saga: the ledgers of its nodes, and ended once an outcome is recorded and all has settled. */
export const readSaga = <S extends { readonly nodes: ReadonlyArray<Slot> }, Slot>(steps: number, states: SagaStates<S, Slot>): SagaReading<S> => ({
  steps,
  ledgers: (s) =>
    s.nodes.flatMap((slot) => {
      const ledger = states.ledgerOf(slot)
      return ledger === undefined ? [] : [ledger]
    }),
  outcome: states.outcome,
  ended: (s) => states.outcome(s) !== undefined && states.settled(s)
})

/** What a spec tells of its own states for the witnesses both specs show reached. */
export interface SagaWitnesses<S> {
  /** Whether step `step` was refused; called once per step. */
  refused(step: number): (state: S) => boolean
  /** A service answered a resend from its idempotency table or its inbox instead of applying it again. */
  deduplicated(state: S): boolean
}

/**
 * The properties both specs check, in one order: the promises, SagaEnds, and
 * the `sometimes` witnesses that each ending is reached (completed, and
 * compensated after each step's refusal) and that a resend was deduplicated.
 */
export const sagaChecks = <S>(r: SagaReading<S>, w: SagaWitnesses<S>): ReadonlyArray<Property<S>> => {
  const endedAs = (s: S, outcome: Outcome) => r.ended(s) && r.outcome(s) === outcome
  const compensatedAfter = (step: number): Property<S> => {
    const wasRefused = w.refused(step)
    return sometimes<S>(`CompensatedAfterT${step}Refused`, (s) => endedAs(s, "compensated") && wasRefused(s))
  }
  return [
    ...sagaSafety(r),
    sagaEnds(r),
    sometimes<S>("SagaCompleted", (s) => endedAs(s, "completed")),
    ...Array.from({ length: r.steps }, (_, i) => compensatedAfter(i + 1)),
    sometimes<S>("RetryDeduplicated", (s) => w.deduplicated(s))
  ]
}
