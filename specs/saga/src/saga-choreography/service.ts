/**
 * A service of the choreographed saga, running step k (its action Tk and
 * compensation Ck) for any number of sagas, reacting to events alone:
 *
 * - Every event is acknowledged, a duplicate too, so its sender stops
 *   resending. An event whose id is in the inbox was handled already and is
 *   not handled again (the idempotent consumer).
 * - Its predecessor's `Done` (or the order's `Placed`, for T1) arms its
 *   `Decide` timers, its local choice: in the model both, `ok` and
 *   `refused`; hosted, the one its policy says. `ok` applies Tk and
 *   publishes `Done` to its successor; `refused` applies nothing and
 *   publishes `Failed` to its predecessor.
 * - Its successor's `Failed` or `Compensated` applies Ck (if Tk took
 *   effect in that saga) and publishes `Compensated` to its predecessor:
 *   compensation flows back up the chain, so the steps are compensated
 *   latest first.
 *
 * `idempotent: false` is the `no-idempotency` variant's payment service,
 * which handles a redelivered event again. `compensateEarly` is the other
 * variant: a service whose `Done` goes unacknowledged through its retry
 * budget takes its successor to have failed and compensates its own step,
 * though the successor may yet run its step.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { ClientId, NodeId, Step } from "@parley/core"
import { ledgerEntry } from "../ledger.ts"
import type { Ledger } from "../ledger.ts"
import { choices } from "../policy.ts"
import type { Policy } from "../policy.ts"
import type { SagaRequest } from "../requests.ts"
import { operationKey } from "../steps.ts"
import { predecessor, sagaEvent, successor } from "./chain.ts"
import type { Chain } from "./chain.ts"
import type { ChoreographyMessage, ChoreographyServiceDurable, ChoreographyTimer, SagaEvent } from "./messages.ts"
import { acknowledge, durableOutbox, emit, republish, resend, withId } from "./outbox.ts"
import type { ChoreographyOutput, Outbox } from "./outbox.ts"
import type { ChoreographyResponse } from "./responses.ts"

export interface ServiceConfig extends Chain {
  /** The step this service runs. */
  readonly step: number
  readonly retries: number
  readonly idempotent: boolean
  readonly compensateEarly: boolean
}

export interface ChoreographyServiceState {
  readonly role: "service"
  /** The step it runs (its configuration's, kept in the state so a host can tell its services apart). */
  readonly step: number
  readonly ledger: Ledger
  /** Ids of the events handled, sorted. */
  readonly inbox: ReadonlyArray<string>
  readonly outbox: Outbox
  /** Sagas whose step's decision is pending: the trigger came, the `Decide` timers are armed; sorted. */
  readonly deciding: ReadonlyArray<string>
  /** Ids of events that came again and were recognised by the inbox: the `sometimes` witness of deduplication. */
  readonly replayed: ReadonlyArray<string>
  readonly policy: Policy
}

type ServiceStep = Step<ChoreographyServiceState, ChoreographyMessage, ChoreographyTimer, ChoreographyResponse>

export const initialChoreographyService = (step: number, policy: Policy): ChoreographyServiceState =>
  Object.freeze({ role: "service", step, ledger: [], inbox: [], outbox: [], deciding: [], replayed: [], policy })

const publish = (s: ChoreographyServiceState, to: NodeId, event: SagaEvent, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const emitted = emit(s.outbox, to, event)
  return step({ ...s, outbox: emitted.outbox }, [...out, ...emitted.out])
}

/** Ck of saga `saga`, if Tk took effect in it here, and `Compensated` to the predecessor. */
const compensate = (config: ServiceConfig, s: ChoreographyServiceState, saga: string, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const took = s.ledger.some((entry) => entry.saga === saga && entry.op === "do")
  const undo = ledgerEntry(saga, config.step, "undo", operationKey(config.steps, saga, config.step, "undo"))
  return publish({ ...s, ledger: took ? [...s.ledger, undo] : s.ledger }, predecessor(config, config.step), sagaEvent(config.steps, saga, "Compensated", config.step), out)
}

const decisions = (config: ServiceConfig, saga: string, policy: Policy): ReadonlyArray<ChoreographyOutput> =>
  choices(policy).map((result) => setTimer({ _tag: "Decide", saga, step: config.step, result }))

const handle = (config: ServiceConfig, s: ChoreographyServiceState, event: SagaEvent, out: ReadonlyArray<ChoreographyOutput>): ServiceStep => {
  const fromPredecessor = (event.kind === "Placed" || event.kind === "Done") && event.step === config.step - 1
  if (fromPredecessor) {
    return step({ ...s, deciding: withId(s.deciding, event.saga) }, [...out, ...decisions(config, event.saga, s.policy)])
  }
  const fromSuccessor = (event.kind === "Failed" || event.kind === "Compensated") && event.step === config.step + 1
  return fromSuccessor ? compensate(config, s, event.saga, out) : step(s, out)
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
    const { saga } = timer
    if (!s.deciding.includes(saga)) return step(s)
    const decided = { ...s, deciding: s.deciding.filter((pending) => pending !== saga) }
    const cancel = [cancelTimer<ChoreographyTimer>({ ...timer, result: timer.result === "ok" ? "refused" : "ok" })]
    if (timer.result === "refused") {
      return publish(decided, predecessor(config, config.step), sagaEvent(config.steps, saga, "Failed", config.step), cancel)
    }
    const ledger = [...s.ledger, ledgerEntry(saga, config.step, "do", operationKey(config.steps, saga, config.step, "do"))]
    return publish({ ...decided, ledger }, successor(config, config.step), sagaEvent(config.steps, saga, "Done", config.step), cancel)
  }
  const outcome = resend(s.outbox, timer.id, config.retries)
  if (outcome._tag === "Resent") return step({ ...s, outbox: outcome.outbox }, outcome.out)
  if (outcome._tag === "Gone") return step(s)
  // The bug: no acknowledgement is not a failure downstream. The successor may have the event and run its step.
  if (config.compensateEarly && outcome.entry.event.kind === "Done") {
    return compensate(config, { ...s, outbox: s.outbox.filter((e) => e !== outcome.entry) }, outcome.entry.event.saga, [])
  }
  return step(s)
}

/** A client's request: its ledger, or a new policy for the requests that come after it; saga requests belong to the order service. */
export const choreographyServiceOnRequest = (config: ServiceConfig, s: ChoreographyServiceState, client: ClientId, request: SagaRequest): ServiceStep => {
  switch (request._tag) {
    case "Ledger":
      return step(s, [reply(client, { _tag: "LedgerShown", seq: request.seq, ledger: s.ledger, policy: s.policy })])
    case "SetPolicy":
      return step({ ...s, policy: request.policy }, [reply(client, { _tag: "LedgerShown", seq: request.seq, ledger: s.ledger, policy: request.policy })])
    default:
      return step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: config.order, reason: "sagas are kept by the order service" })])
  }
}

export const choreographyServiceDurable = (s: ChoreographyServiceState): ChoreographyServiceDurable => ({
  _tag: "Service",
  ledger: s.ledger,
  inbox: s.inbox,
  outbox: durableOutbox(s.outbox),
  deciding: s.deciding,
  policy: s.policy
})

/** A restarted service sends its outbox again and, for each saga whose decision was pending, arms its choice again. */
export const choreographyServiceRecover = (config: ServiceConfig, d: ChoreographyServiceDurable): ServiceStep => {
  const again = republish(d.outbox)
  return step(
    { ...initialChoreographyService(config.step, d.policy), ledger: d.ledger, inbox: d.inbox, outbox: again.outbox, deciding: d.deciding },
    [...again.out, ...d.deciding.flatMap((saga) => decisions(config, saga, d.policy))]
  )
}
