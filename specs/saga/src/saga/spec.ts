/**
 * `saga`: an orchestrated saga. The orchestrator runs the steps against the
 * services (`inventory`, `payment`, `shipping`, …) and compensates on a
 * refusal; it is the node that crashes, within the crash budget, and it
 * recovers from its saga log. The bounds (steps, the retry budget, crashes)
 * are options; the retry budget is the reducer's own, as a deployment's
 * would be, and needs no boundary in the model.
 */
import { defineSpec, lossyFlag, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { budget, sagaOptions, sagaVariants } from "../saga-options.ts"
import { noBugs, PAYMENT_STEP, SAGA_ID, sagaSteps } from "../steps.ts"
import type { SagaBugs } from "../steps.ts"
import { formatSagaMessage, formatSagaTimer, sagaView } from "./format.ts"
import { ORCHESTRATOR } from "./messages.ts"
import { orchestratorActor, serviceActor } from "./node.ts"
import { sagaProperties, sagaReading } from "./properties.ts"
import type { SagaSystem } from "./properties.ts"

const orchestratedOptions = {
  ...sagaOptions,
  retries: budget("resends of one operation when its answer is late (the retry budget)", 1),
  crashes: budget("crash budget: crashes of the orchestrator in one behaviour", 1),
  network: networkChoice("unordered"),
  lossy: lossyFlag
} as const

export type SagaOptions = OptionsOf<typeof orchestratedOptions>

const sagaSystem = (options: SagaOptions, bugs: SagaBugs): SagaSystem => {
  const steps = sagaSteps(options.steps)
  const ids = [ORCHESTRATOR, ...steps.map((s) => s.service)]
  const reading = sagaReading(steps.length, ids)
  return {
    nodes: [
      { id: ORCHESTRATOR, actor: orchestratorActor({ steps, retries: options.retries, bugs, initialSagas: [SAGA_ID] }) },
      ...steps.map((s) => ({
        id: s.service,
        actor: serviceActor({ orchestrator: ORCHESTRATOR, idempotent: !(bugs.noIdempotency && s.step === PAYMENT_STEP) }, "either")
      }))
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

export const sagaSpec = defineSpec({
  module: import.meta.url,
  name: "saga",
  description: "An orchestrated saga: steps run one by one against services, a refusal compensates the done steps in reverse order; " +
    "retries with idempotency keys, a durable saga log, orchestrator crashes",
  options: orchestratedOptions,
  correct: noBugs,
  variants: sagaVariants({
    "no-idempotency": "the payment service ignores idempotency keys, so a resent charge (or refund) is applied again",
    "compensate-early": "a step with no answer once the retry budget is spent is taken as failed and compensation starts; " +
      "a late success is left uncompensated"
  }),
  build: (options, bugs) => ({ _tag: "System", system: sagaSystem(options, bugs) })
})
