/**
 * What a saga promises (Garcia-Molina and Salem, "Sagas", 1987: the system
 * runs either T1…Tn or T1…Tj Cj…C1), stated over the services' ledgers so
 * that both specs are held to the same promises, whoever drives the saga.
 */
import { always, eventually } from "@parley/core"
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
