/**
 * `saga`: an orchestrated saga. The orchestrator runs the steps against the
 * services (`inventory`, `payment`, `shipping`, …) and compensates on a
 * refusal; it is the node that crashes, within the crash budget, and it
 * recovers from its saga log. The bounds (steps, the retry budget, crashes)
 * are options; the retry budget is the reducer's own, as a deployment's
 * would be, and needs no boundary in the model.
 */
import { configFlag, configInt, configNetwork, configString, CorrectVariant, lossyOption, networkOption } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { bugsOf, MAX_STEPS, noBugs, PAYMENT_STEP, requireWhole, sagaSteps } from "../steps.ts"
import type { SagaBugs } from "../steps.ts"
import { formatSagaMessage, formatSagaTimer, sagaView } from "./format.ts"
import { ORCHESTRATOR } from "./messages.ts"
import { orchestratorActor, serviceActor } from "./node.ts"
import { sagaProperties, sagaReading } from "./properties.ts"
import type { SagaSystem } from "./properties.ts"

export const sagaVariants = [
  {
    name: "no-idempotency",
    description: "the payment service ignores idempotency keys, so a resent charge (or refund) is applied again"
  },
  {
    name: "compensate-early",
    description: "a step with no answer once the retry budget is spent is taken as failed and compensation starts; " +
      "a late success is left uncompensated"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, SagaBugs>> = {
  [CorrectVariant]: noBugs,
  "no-idempotency": { ...noBugs, noIdempotency: true },
  "compensate-early": { ...noBugs, compensateEarly: true }
}

export interface SagaOptions {
  readonly steps: number
  /** Resends of one operation, by the orchestrator's retry timer. */
  readonly retries: number
  /** Crashes of the orchestrator in one behaviour; each may be followed by a restart. */
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly variant: string
}

export const sagaSystem = (options: SagaOptions): SagaSystem => {
  requireWhole("saga", "steps", options.steps, 2, MAX_STEPS)
  requireWhole("saga", "retries", options.retries, 0, 3)
  requireWhole("saga", "crashes", options.crashes, 0, 3)
  const bugs = bugsOf("saga", variantBugs, options.variant)
  const steps = sagaSteps(options.steps)
  const ids = [ORCHESTRATOR, ...steps.map((s) => s.service)]
  const reading = sagaReading(steps.length, ids)
  return {
    nodes: [
      { id: ORCHESTRATOR, actor: orchestratorActor({ steps, retries: options.retries, bugs }) },
      ...steps.map((s) => ({ id: s.service, actor: serviceActor(!(bugs.noIdempotency && s.step === PAYMENT_STEP)) }))
    ],
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    crashable: [ORCHESTRATOR],
    properties: sagaProperties(reading, options.crashes),
    terminal: reading.ended,
    formatMessage: formatSagaMessage,
    formatTimer: formatSagaTimer,
    formatRequest: () => "none",
    formatResponse: () => "none",
    view: sagaView(steps)
  }
}

export const sagaSpec: SpecDefinition = {
  name: "saga",
  description: "An orchestrated saga: steps run one by one against services, a refusal compensates the done steps in reverse order; " +
    "retries with idempotency keys, a durable saga log, orchestrator crashes",
  options: [
    { kind: "int", name: "steps", description: "steps T1…Tn: reserve (inventory), charge (payment), ship (shipping), award (loyalty)", default: 3, min: 2, max: MAX_STEPS },
    { kind: "int", name: "retries", description: "resends of one operation when its answer is late (the retry budget)", default: 1, min: 0, max: 3 },
    { kind: "int", name: "crashes", description: "crash budget: crashes of the orchestrator in one behaviour", default: 1, min: 0, max: 3 },
    networkOption("unordered"),
    lossyOption
  ],
  variants: sagaVariants,
  build: (config) => ({
    _tag: "System",
    system: sagaSystem({
      steps: configInt(config, "steps"),
      retries: configInt(config, "retries"),
      crashes: configInt(config, "crashes"),
      network: configNetwork(config, "saga"),
      lossy: configFlag(config, "lossy"),
      variant: configString(config, "variant")
    })
  })
}
