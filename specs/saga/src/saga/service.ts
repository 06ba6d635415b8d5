/**
 * A service that runs one step of the saga (inventory reserves, payment
 * charges, shipping ships) and its compensation, for any number of sagas,
 * as an idempotent consumer:
 *
 * - A Do with a key it has answered is answered again from its idempotency
 *   table, with the recorded outcome, and applied no second time. A Do whose
 *   decision is pending is dropped: the answer goes out when it is made.
 * - A new Do arms its `Decide` timers, its local choice: in the model both,
 *   `ok` and `refused`, and the first to fire wins; hosted, the one its
 *   policy says. `ok` applies the action (appends it to the ledger),
 *   `refused` applies nothing. The outcome is recorded under the key before
 *   the answer is sent.
 * - An Undo is applied at once (compensations do not fail) if the action
 *   took effect here; otherwise there is nothing to undo. Either way it is
 *   recorded under its own key and acknowledged.
 *
 * `idempotent: false` is the `no-idempotency` variant's payment service: it
 * records answers but never consults them, so a resent charge charges again.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { ClientId, NodeId, Step } from "@parley/core"
import { ledgerEntry } from "../ledger.ts"
import type { Ledger } from "../ledger.ts"
import { choices } from "../policy.ts"
import type { Policy } from "../policy.ts"
import type { Answer, SagaMessage, SagaTimer, ServiceDurable, StepResult } from "./messages.ts"
import type { SagaRequest } from "../requests.ts"
import type { SagaResponse } from "./responses.ts"

export interface SagaServiceConfig {
  /** The node that sends it requests and takes its answers. */
  readonly orchestrator: NodeId
  readonly idempotent: boolean
}

export interface ServiceState {
  readonly role: "service"
  readonly ledger: Ledger
  /** The idempotency table: each key answered, with its outcome, sorted by key. */
  readonly answers: ReadonlyArray<Answer>
  /** Keys of Do requests whose decision is pending (their `Decide` timers are armed). */
  readonly pending: ReadonlyArray<string>
  /** Keys it answered from the table at least once: a retry deduplicated, the `sometimes` witness. */
  readonly replayed: ReadonlyArray<string>
  readonly policy: Policy
}

type ServiceStep = Step<ServiceState, SagaMessage, SagaTimer, SagaResponse>

export const initialService = (policy: Policy): ServiceState =>
  Object.freeze({ role: "service", ledger: [], answers: [], pending: [], replayed: [], policy })

const byKey = (a: Answer, b: Answer): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

const record = (answers: ReadonlyArray<Answer>, answer: Answer): ReadonlyArray<Answer> =>
  [...answers.filter((a) => a.key !== answer.key), answer].sort(byKey)

const withKey = (keys: ReadonlyArray<string>, key: string): ReadonlyArray<string> => (keys.includes(key) ? keys : [...keys, key].sort())

const answerFor = (s: ServiceState, key: string): Answer | undefined => s.answers.find((a) => a.key === key)

const answer = (m: Extract<SagaMessage, { _tag: "Do" | "Undo" }>, result: StepResult): SagaMessage =>
  m._tag === "Do" ? { _tag: "Done", saga: m.saga, step: m.step, key: m.key, result } : { _tag: "Undone", saga: m.saga, step: m.step, key: m.key }

export const serviceOnMessage = (config: SagaServiceConfig, s: ServiceState, message: SagaMessage): ServiceStep => {
  if (message._tag !== "Do" && message._tag !== "Undo") return step(s)
  const known = answerFor(s, message.key)
  if (config.idempotent && known !== undefined) {
    return step({ ...s, replayed: withKey(s.replayed, message.key) }, [send(config.orchestrator, answer(message, known.result))])
  }
  if (message._tag === "Do") {
    if (s.pending.includes(message.key)) return step(s)
    const { saga, step: number, key } = message
    const decide = (result: StepResult) => setTimer<SagaTimer>({ _tag: "Decide", saga, step: number, key, result })
    return step({ ...s, pending: withKey(s.pending, key) }, choices(s.policy).map(decide))
  }
  const took = s.ledger.some((entry) => entry.saga === message.saga && entry.step === message.step && entry.op === "do")
  return step(
    {
      ...s,
      ledger: took ? [...s.ledger, ledgerEntry(message.saga, message.step, "undo", message.key)] : s.ledger,
      answers: record(s.answers, { key: message.key, result: "ok" })
    },
    [send(config.orchestrator, answer(message, "ok"))]
  )
}

export const serviceOnTimer = (config: SagaServiceConfig, s: ServiceState, timer: SagaTimer): ServiceStep => {
  if (timer._tag !== "Decide" || !s.pending.includes(timer.key)) return step(s)
  const other: StepResult = timer.result === "ok" ? "refused" : "ok"
  const { saga, step: number, key, result } = timer
  return step(
    {
      ...s,
      ledger: result === "ok" ? [...s.ledger, ledgerEntry(saga, number, "do", key)] : s.ledger,
      answers: record(s.answers, { key, result }),
      pending: s.pending.filter((pending) => pending !== key)
    },
    [cancelTimer({ ...timer, result: other }), send(config.orchestrator, { _tag: "Done", saga, step: number, key, result })]
  )
}

/**
 * A client's request: its ledger (the reservations it holds), or a new
 * policy, which applies to requests that come after it. Saga requests belong
 * to the orchestrator.
 */
export const serviceOnRequest = (config: SagaServiceConfig, s: ServiceState, client: ClientId, request: SagaRequest): ServiceStep => {
  switch (request._tag) {
    case "Ledger":
      return step(s, [reply(client, { _tag: "LedgerShown", seq: request.seq, ledger: s.ledger, policy: s.policy })])
    case "SetPolicy": {
      const next = { ...s, policy: request.policy }
      return step(next, [reply(client, { _tag: "LedgerShown", seq: request.seq, ledger: next.ledger, policy: next.policy })])
    }
    default:
      return step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: config.orchestrator, reason: "sagas are kept by the orchestrator" })])
  }
}

export const serviceDurable = (s: ServiceState): ServiceDurable => ({ _tag: "Service", ledger: s.ledger, answers: s.answers, policy: s.policy })

/** A restarted service keeps its ledger, table and policy; a pending decision is forgotten, and the orchestrator's resend asks again. */
export const serviceRecover = (d: ServiceDurable): ServiceStep =>
  step({ ...initialService(d.policy), ledger: d.ledger, answers: d.answers })
