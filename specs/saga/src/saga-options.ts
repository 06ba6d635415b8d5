/**
 * What the two saga specs share: their options, how they are checked and read
 * from a `parley check` configuration, and the flags of their variants (both
 * have `no-idempotency` and `compensate-early`, told apart in their own
 * descriptions).
 */
import { bugsOf, configFlag, configInt, configNetwork, configString, CorrectVariant, requireWhole } from "@parley/core"
import type { NetworkSemantics, SpecConfig } from "@parley/core"
import { MAX_STEPS, noBugs } from "./steps.ts"
import type { SagaBugs } from "./steps.ts"

export interface SagaSpecOptions {
  readonly steps: number
  /** Resends of one operation or event before the sender stops resending. */
  readonly retries: number
  /** Crashes in one behaviour (of the orchestrator, or of any node in the choreography); each may be followed by a restart. */
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly variant: string
}

const variantBugs: Readonly<Record<string, SagaBugs>> = {
  [CorrectVariant]: noBugs,
  "no-idempotency": { ...noBugs, noIdempotency: true },
  "compensate-early": { ...noBugs, compensateEarly: true }
}

/** Checks the options, naming `spec` in any error, and gives the variant's flags. */
export const checkedSagaOptions = (spec: string, options: SagaSpecOptions): SagaBugs => {
  requireWhole(spec, "steps", options.steps, 2, MAX_STEPS)
  requireWhole(spec, "retries", options.retries, 0, 3)
  requireWhole(spec, "crashes", options.crashes, 0, 3)
  return bugsOf(spec, variantBugs, options.variant)
}

export const sagaOptionsFrom = (config: SpecConfig, spec: string): SagaSpecOptions => ({
  steps: configInt(config, "steps"),
  retries: configInt(config, "retries"),
  crashes: configInt(config, "crashes"),
  network: configNetwork(config, spec),
  lossy: configFlag(config, "lossy"),
  variant: configString(config, "variant")
})
