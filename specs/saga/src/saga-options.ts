/**
 * What the two saga specs declare alike: the saga's length, and their
 * variants' flags (both have `no-idempotency` and `compensate-early`, each
 * described as it shows in that spec). Each definition spreads these and
 * adds the options that mean something of its own (whom a crash may hit,
 * what a resend resends, the network it defaults to).
 */
import { int } from "@parley/core"
import type { VariantDecl } from "@parley/core"
import { MAX_STEPS } from "./steps.ts"
import type { SagaBugs } from "./steps.ts"

export const sagaOptions = {
  steps: int("steps T1…Tn: reserve (inventory), charge (payment), ship (shipping), award (loyalty)", { default: 3, min: 2, max: MAX_STEPS })
} as const

/** The budgets both specs bound, each from 0 to 3: resends of one operation or event, and crashes in one behaviour. */
export const budget = (description: string, defaultBudget: number) => int(description, { default: defaultBudget, min: 0, max: 3 })

export type SagaVariant = "no-idempotency" | "compensate-early"

export const sagaVariants = (descriptions: Readonly<Record<SagaVariant, string>>): Readonly<Record<SagaVariant, VariantDecl<SagaBugs>>> => ({
  "no-idempotency": { description: descriptions["no-idempotency"], bugs: { noIdempotency: true } },
  "compensate-early": { description: descriptions["compensate-early"], bugs: { compensateEarly: true } }
})
