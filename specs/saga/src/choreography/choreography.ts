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
import { configFlag, configInt, configNetwork, configString, CorrectVariant, lossyOption, networkOption } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { bugsOf, MAX_STEPS, noBugs, PAYMENT_STEP, requireWhole, sagaSteps } from "../steps.ts"
import type { SagaBugs } from "../steps.ts"
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

const variantBugs: Readonly<Record<string, SagaBugs>> = {
  [CorrectVariant]: noBugs,
  "no-idempotency": { ...noBugs, noIdempotency: true },
  "compensate-early": { ...noBugs, compensateEarly: true }
}

export interface ChoreographyOptions {
  readonly steps: number
  /** Resends of one event before its publisher stops resending. */
  readonly retries: number
  /** Crashes of any node in one behaviour; each may be followed by a restart. */
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly variant: string
}

export const choreographySystem = (options: ChoreographyOptions): ChoreographySystem => {
  requireWhole("saga-choreography", "steps", options.steps, 2, MAX_STEPS)
  requireWhole("saga-choreography", "retries", options.retries, 0, 3)
  requireWhole("saga-choreography", "crashes", options.crashes, 0, 3)
  const bugs = bugsOf("saga-choreography", variantBugs, options.variant)
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
    formatRequest: () => "none",
    formatResponse: () => "none",
    view: choreographyView(steps)
  }
}

export const choreographySpec: SpecDefinition = {
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
    system: choreographySystem({
      steps: configInt(config, "steps"),
      retries: configInt(config, "retries"),
      crashes: configInt(config, "crashes"),
      network: configNetwork(config, "saga-choreography"),
      lossy: configFlag(config, "lossy"),
      variant: configString(config, "variant")
    })
  })
}
