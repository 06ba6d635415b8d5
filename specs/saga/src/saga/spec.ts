/**
 * `saga`: an orchestrated saga. The orchestrator runs the steps against the
 * services (`inventory`, `payment`, `shipping`, …) and compensates on a
 * refusal; it is the node that crashes, within the crash budget, and it
 * recovers from its saga log. The bounds (steps, the retry budget, crashes)
 * are options; the retry budget is the reducer's own, as a deployment's
 * would be, and needs no boundary in the model.
 */
import { lossyOption, networkOption } from "@parley/core"
import type { SpecDefinition, SpecVariant } from "@parley/core"
import { checkedSagaOptions, sagaOptionsFrom } from "../saga-options.ts"
import type { SagaSpecOptions } from "../saga-options.ts"
import { MAX_STEPS, PAYMENT_STEP, sagaSteps } from "../steps.ts"
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


export type SagaOptions = SagaSpecOptions

export const sagaSystem = (options: SagaOptions): SagaSystem => {
  const bugs = checkedSagaOptions("saga", options)
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
    view: sagaView(steps)
  }
}

export const sagaSpec: SpecDefinition = {
  module: import.meta.url,
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
    system: sagaSystem(sagaOptionsFrom(config, "saga"))
  })
}
