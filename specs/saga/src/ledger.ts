/**
 * What each service records of the effects it applied, in the order it
 * applied them: the ground truth the saga's properties are stated over. A
 * reservation, a charge or a shipment is in some service's ledger or it did
 * not happen; the orchestrator's or the order's view of it is only a claim.
 */
import { Schema } from "effect"

export const StepNumber = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type StepNumber = typeof StepNumber.Type

export const Operation = Schema.Literals(["do", "undo"])
export type Operation = typeof Operation.Type

/** One effect a service applied for saga `saga`: step `step`'s action (`do`) or compensation (`undo`), under its idempotency key. */
export const LedgerEntry = Schema.Struct({ saga: Schema.String, step: StepNumber, op: Operation, key: Schema.String })
export type LedgerEntry = typeof LedgerEntry.Type

export type Ledger = ReadonlyArray<LedgerEntry>

export const ledgerEntry = (saga: string, step: number, op: Operation, key: string): LedgerEntry => ({ saga, step, op, key })

/** Whether any service applied step `step`'s `op`. `ledgers` holds every service's ledger. */
export const applied = (ledgers: ReadonlyArray<Ledger>, step: number, op: Operation): boolean =>
  ledgers.some((ledger) => ledger.some((entry) => entry.step === step && entry.op === op))

/** No effect taken twice: no key appears twice in a ledger, however often its request was resent or duplicated. */
export const eachEffectOnce = (ledgers: ReadonlyArray<Ledger>): boolean =>
  ledgers.every((ledger) => new Set(ledger.map((entry) => entry.key)).size === ledger.length)

/** Effects a ledger holds under a key it already held: each is an action or compensation taken twice. */
export const repeatedEffects = (ledger: Ledger): number => ledger.length - new Set(ledger.map((entry) => entry.key)).size

/**
 * Compensations run in the reverse order of completion: once Ci took effect,
 * every later step Tj (j > i) that took effect has been compensated already.
 * A state property over the ledgers, so it holds at every moment, not only at
 * the end: a Tj that takes effect after Ci is a broken order too.
 */
export const compensatedInReverse = (ledgers: ReadonlyArray<Ledger>, steps: number): boolean => {
  for (let i = 1; i <= steps; i++) {
    if (!applied(ledgers, i, "undo")) continue
    for (let j = i + 1; j <= steps; j++) {
      if (applied(ledgers, j, "do") && !applied(ledgers, j, "undo")) return false
    }
  }
  return true
}

/** Every step took effect and none was compensated. */
export const allDone = (ledgers: ReadonlyArray<Ledger>, steps: number): boolean => {
  for (let i = 1; i <= steps; i++) if (!applied(ledgers, i, "do") || applied(ledgers, i, "undo")) return false
  return true
}

/** Every step that took effect was compensated (none may have taken effect at all). */
export const allCompensated = (ledgers: ReadonlyArray<Ledger>, steps: number): boolean => {
  for (let i = 1; i <= steps; i++) if (applied(ledgers, i, "do") && !applied(ledgers, i, "undo")) return false
  return true
}
