/**
 * A service of the choreographed saga, running step k (its action Tk and
 * compensation Ck), reacting to events alone:
 *
 * - Every event is acknowledged, a duplicate too, so its sender stops
 *   resending. An event whose id is in the inbox was handled already and is
 *   not handled again (the idempotent consumer).
 * - Its predecessor's `Done` (or the order's `Placed`, for T1) arms the two
 *   `Decide` timers, its local choice. `ok` applies Tk and publishes `Done`
 *   to its successor; `refused` applies nothing and publishes `Failed` to its
 *   predecessor.
 * - Its successor's `Failed` or `Compensated` applies Ck (if Tk took
 *   effect) and publishes `Compensated` to its predecessor: compensation
 *   flows back up the chain, so the steps are compensated latest first.
 *
 * `idempotent: false` is the `no-idempotency` variant's payment service,
 * which handles a redelivered event again. `compensateEarly` is the other
 * variant: a service whose `Done` goes unacknowledged through its retry
 * budget takes its successor to have failed and compensates its own step,
 * though the successor may yet run its step.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import { ledgerEntry } from "../ledger.ts"
import type { Ledger } from "../ledger.ts"
import { operationKey, SAGA_ID } from "../steps.ts"
import type { SagaStep } from "../steps.ts"
import { predecessor, sagaEvent, successor } from "./chain.ts"
import type {
  ChoreographyMessage,
  ChoreographyResponse,
  ChoreographyServiceDurable,
  ChoreographyTimer,
  SagaEvent
} from "./messages.ts"
import { acknowledge, durableOutbox, emit, republish, resend, withId } from "./outbox.ts"
import type { ChoreographyOutput, Outbox } from "./outbox.ts"

export interface ServiceConfig {
  readonly steps: ReadonlyArray<SagaStep>
  /** The step this service runs. */
  readonly step: number
  readonly retries: number
  readonly idempotent: boolean
  readonly compensateEarly: boolean
}

export interface ChoreographyServiceState {
  readonly role: "service"
  readonly ledger: Ledger
  /** Ids of the events handled, sorted. */
  readonly inbox: ReadonlyArray<string>
  readonly outbox: Outbox
  /** Its step's decision is pending: the trigger came, the `Decide` timers are armed. */
  readonly deciding: boolean
  /** Ids of events that came again and were recognised by the inbox: the `sometimes` witness of deduplication. */
  readonly replayed: ReadonlyArray<string>
}

type ServiceStep = Step<ChoreographyServiceState, ChoreographyMessage, ChoreographyTimer, ChoreographyResponse>

export const initialChoreographyService: ChoreographyServiceState = Object.freeze({
  role: "service",
  ledger: [],
  inbox: [],
  outbox: [],
  deciding: false,
  replayed: []
})

const publish = (s: ChoreographyServiceState, to: NodeId, event: SagaEvent, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const emitted = emit(s.outbox, to, event)
  return step({ ...s, outbox: emitted.outbox }, [...out, ...emitted.out])
}

/** Ck, if Tk took effect here, and `Compensated` to the predecessor. */
const compensate = (config: ServiceConfig, s: ChoreographyServiceState, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const took = s.ledger.some((entry) => entry.op === "do")
  const ledger = took ? [...s.ledger, ledgerEntry(SAGA_ID, config.step, "undo", operationKey(config.steps, SAGA_ID, config.step, "undo"))] : s.ledger
  return publish({ ...s, ledger }, predecessor(config.steps, config.step), sagaEvent(config.steps, "Compensated", config.step), out)
}

const decide = (config: ServiceConfig, result: "ok" | "refused"): ChoreographyOutput =>
  setTimer({ _tag: "Decide", step: config.step, result })

const handle = (config: ServiceConfig, s: ChoreographyServiceState, event: SagaEvent, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const fromPredecessor = (event.kind === "Placed" || event.kind === "Done") && event.step === config.step - 1
  if (fromPredecessor) return step({ ...s, deciding: true }, [...out, decide(config, "ok"), decide(config, "refused")])
  const fromSuccessor = (event.kind === "Failed" || event.kind === "Compensated") && event.step === config.step + 1
  return fromSuccessor ? compensate(config, s, out) : step(s, out)
}

export const choreographyServiceOnMessage = (
  config: ServiceConfig,
  s: ChoreographyServiceState,
  from: NodeId,
  message: ChoreographyMessage
): ServiceStep => {
  if (message._tag === "Ack") {
    const acked = acknowledge(s.outbox, message.id)
    return step({ ...s, outbox: acked.outbox }, acked.out)
  }
  const { event } = message
  const ack = [send<ChoreographyMessage>(from, { _tag: "Ack", id: event.id })]
  if (config.idempotent && s.inbox.includes(event.id)) return step({ ...s, replayed: withId(s.replayed, event.id) }, ack)
  return handle(config, { ...s, inbox: withId(s.inbox, event.id) }, event, ack)
}

export const choreographyServiceOnTimer = (config: ServiceConfig, s: ChoreographyServiceState, timer: ChoreographyTimer): ServiceStep => {
  if (timer._tag === "Decide") {
    if (!s.deciding) return step(s)
    const decided = { ...s, deciding: false }
    const cancel = [cancelTimer<ChoreographyTimer>({ ...timer, result: timer.result === "ok" ? "refused" : "ok" })]
    if (timer.result === "refused") {
      return publish(decided, predecessor(config.steps, config.step), sagaEvent(config.steps, "Failed", config.step), cancel)
    }
    const ledger = [...s.ledger, ledgerEntry(SAGA_ID, config.step, "do", operationKey(config.steps, SAGA_ID, config.step, "do"))]
    return publish({ ...decided, ledger }, successor(config.steps, config.step), sagaEvent(config.steps, "Done", config.step), cancel)
  }
  const outcome = resend(s.outbox, timer.id, config.retries)
  if (outcome._tag === "Resent") return step({ ...s, outbox: outcome.outbox }, outcome.out)
  if (outcome._tag === "Gone") return step(s)
  // The bug: no acknowledgement is not a failure downstream. The successor may have the event and run its step.
  if (config.compensateEarly && outcome.entry.event.kind === "Done") {
    return compensate(config, { ...s, outbox: s.outbox.filter((e) => e !== outcome.entry) }, [])
  }
  return step(s)
}

export const choreographyServiceDurable = (s: ChoreographyServiceState): ChoreographyServiceDurable => ({
  _tag: "Service",
  ledger: s.ledger,
  inbox: s.inbox,
  outbox: durableOutbox(s.outbox),
  deciding: s.deciding
})

/** A restarted service sends its outbox again and, if its decision was pending, arms its choice again. */
export const choreographyServiceRecover = (config: ServiceConfig, d: ChoreographyServiceDurable): ServiceStep => {
  const again = republish(d.outbox)
  return step(
    { ...initialChoreographyService, ledger: d.ledger, inbox: d.inbox, outbox: again.outbox, deciding: d.deciding },
    [...again.out, ...(d.deciding ? [decide(config, "ok"), decide(config, "refused")] : [])]
  )
}
