/**
 * `saga-choreography`: the same saga with no orchestrator. The order
 * service and the step services publish events to each other through
 * outboxes (at least once, resent until acknowledged, within a retry budget)
 * and consume them through inboxes (at most once). Any node may crash,
 * within the crash budget, and restarts from its ledger, inbox and outbox.
 *
 * The network is FIFO per link by default, as events on one broker partition
 * or one connection are: every event is still resent and acknowledged, so
 * duplicates are explored, but an unordered network multiplies the
 * interleavings of events and acknowledgements by six (749,397 states
 * against 123,947 at the defaults), past what the default check should cost.
 */
import { lossyOption, networkOption } from "@parley/core"
import type { SpecDefinition, SpecVariant } from "@parley/core"
import { checkedSagaOptions, sagaOptionsFrom } from "../saga-options.ts"
import type { SagaSpecOptions } from "../saga-options.ts"
import { MAX_STEPS, PAYMENT_STEP, sagaSteps } from "../steps.ts"
import { choreographyView, formatChoreographyMessage, formatChoreographyTimer } from "./format.ts"
import { ORDER } from "./messages.ts"
import { choreographyServiceActor, orderActor } from "./node.ts"
import { choreographyProperties, choreographyReading } from "./properties.ts"
import type { ChoreographySystem } from "./properties.ts"

export const choreographyVariants = [
  {
    name: "no-idempotency",
    description: "the payment service handles a redelivered event again, so a resent Done of the reservation charges twice"
  },
  {
    name: "compensate-early",
    description: "a service whose Done goes unacknowledged through its retry budget compensates its own step, " +
      "though its successor may yet run its step"
  }
] as const satisfies ReadonlyArray<SpecVariant>


export type ChoreographyOptions = SagaSpecOptions

export const choreographySystem = (options: ChoreographyOptions): ChoreographySystem => {
  const bugs = checkedSagaOptions("saga-choreography", options)
  const steps = sagaSteps(options.steps)
  const ids = [ORDER, ...steps.map((s) => s.service)]
  const reading = choreographyReading(steps.length, ids)
  return {
    nodes: [
      { id: ORDER, actor: orderActor(steps, options.retries) },
      ...steps.map((s) => ({
        id: s.service,
        actor: choreographyServiceActor({
          steps,
          step: s.step,
          retries: options.retries,
          idempotent: !(bugs.noIdempotency && s.step === PAYMENT_STEP),
          compensateEarly: bugs.compensateEarly
        })
      }))
    ],
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    properties: choreographyProperties(reading, steps, ids, options.crashes),
    terminal: reading.ended,
    formatMessage: formatChoreographyMessage,
    formatTimer: formatChoreographyTimer,
    view: choreographyView(steps)
  }
}

export const choreographySpec: SpecDefinition = {
  module: import.meta.url,
  name: "saga-choreography",
  description: "A choreographed saga: services react to each other's events (outbox and inbox, at least once, deduplicated); " +
    "a refusal sends compensation events back up the chain",
  options: [
    { kind: "int", name: "steps", description: "steps T1…Tn: reserve (inventory), charge (payment), ship (shipping), award (loyalty)", default: 3, min: 2, max: MAX_STEPS },
    { kind: "int", name: "retries", description: "resends of one event until it is acknowledged (the retry budget)", default: 1, min: 0, max: 3 },
    { kind: "int", name: "crashes", description: "crash budget: crashes of any node in one behaviour", default: 0, min: 0, max: 3 },
    networkOption("ordered"),
    lossyOption
  ],
  variants: choreographyVariants,
  build: (config) => ({
    _tag: "System",
    system: choreographySystem(sagaOptionsFrom(config, "saga-choreography"))
  })
}
