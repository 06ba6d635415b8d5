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
import { defineSpec, lossyFlag, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { budget, sagaOptions, sagaVariants } from "../saga-options.ts"
import { noBugs, PAYMENT_STEP, SAGA_ID, sagaSteps } from "../steps.ts"
import type { SagaBugs } from "../steps.ts"
import { choreographyView, formatChoreographyMessage, formatChoreographyTimer } from "./format.ts"
import { ORDER } from "./messages.ts"
import { choreographyServiceActor, orderActor } from "./node.ts"
import { choreographyProperties, choreographyReading } from "./properties.ts"
import type { ChoreographySystem } from "./properties.ts"

const choreographyOptions = {
  ...sagaOptions,
  retries: budget("resends of one event until it is acknowledged (the retry budget)", 1),
  crashes: budget("crash budget: crashes of any node in one behaviour", 0),
  network: networkChoice("ordered"),
  lossy: lossyFlag
} as const

export type ChoreographyOptions = OptionsOf<typeof choreographyOptions>

const choreographySystem = (options: ChoreographyOptions, bugs: SagaBugs): ChoreographySystem => {
  const steps = sagaSteps(options.steps)
  const chain = { steps, order: ORDER }
  const ids = [ORDER, ...steps.map((s) => s.service)]
  const reading = choreographyReading(steps.length, ids)
  return {
    nodes: [
      { id: ORDER, actor: orderActor(chain, options.retries, [SAGA_ID]) },
      ...steps.map((s) => ({
        id: s.service,
        actor: choreographyServiceActor({
          ...chain,
          step: s.step,
          retries: options.retries,
          idempotent: !(bugs.noIdempotency && s.step === PAYMENT_STEP),
          compensateEarly: bugs.compensateEarly
        }, "either")
      }))
    ],
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    properties: choreographyProperties(reading, chain, ids, options.crashes),
    terminal: reading.ended,
    formatMessage: formatChoreographyMessage,
    formatTimer: formatChoreographyTimer,
    view: choreographyView(steps)
  }
}

export const choreographySpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "saga-choreography",
  description: "A choreographed saga: services react to each other's events (outbox and inbox, at least once, deduplicated); " +
    "a refusal sends compensation events back up the chain",
  options: choreographyOptions,
  correct: noBugs,
  variants: sagaVariants({
    "no-idempotency": "the payment service handles a redelivered event again, so a resent Done of the reservation charges twice",
    "compensate-early": "a service whose Done goes unacknowledged through its retry budget compensates its own step, " +
      "though its successor may yet run its step"
  }),
  build: (options, bugs) => ({ _tag: "System", system: choreographySystem(options, bugs) })
})
