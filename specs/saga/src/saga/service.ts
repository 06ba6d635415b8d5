/**
 * A service that runs one step of the saga (inventory reserves, payment
 * charges, shipping ships) and its compensation, as an idempotent consumer:
 *
 * - A Do with a key it has answered is answered again from its idempotency
 *   table, with the recorded outcome, and applied no second time. A Do whose
 *   decision is pending is dropped: the answer goes out when it is made.
 * - A new Do arms its two `Decide` timers, its local choice: `ok` applies
 *   the action (appends it to the ledger), `refused` applies nothing. The
 *   outcome is recorded under the key before the answer is sent.
 * - An Undo is applied at once (compensations do not fail) if the action
 *   took effect here; otherwise there is nothing to undo. Either way it is
 *   recorded under its own key and acknowledged.
 *
 * `idempotent: false` is the `no-idempotency` variant's payment service: it
 * records answers but never consults them, so a resent charge charges again.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { Step } from "@parley/core"
import { ledgerEntry } from "../ledger.ts"
import type { Ledger } from "../ledger.ts"
import { ORCHESTRATOR } from "./messages.ts"
import type { Answer, SagaMessage, SagaResponse, SagaTimer, ServiceDurable, StepResult } from "./messages.ts"

export interface ServiceState {
  readonly role: "service"
  readonly ledger: Ledger
  /** The idempotency table: each key answered, with its outcome, sorted by key. */
  readonly answers: ReadonlyArray<Answer>
  /** Keys of Do requests whose decision is pending (their `Decide` timers are armed). */
  readonly pending: ReadonlyArray<string>
  /** Keys it answered from the table at least once: a retry deduplicated, the `sometimes` witness. */
  readonly replayed: ReadonlyArray<string>
}

type ServiceStep = Step<ServiceState, SagaMessage, SagaTimer, SagaResponse>

export const initialService: ServiceState = Object.freeze({ role: "service", ledger: [], answers: [], pending: [], replayed: [] })

const byKey = (a: Answer, b: Answer): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

const record = (answers: ReadonlyArray<Answer>, answer: Answer): ReadonlyArray<Answer> =>
  [...answers.filter((a) => a.key !== answer.key), answer].sort(byKey)

const withKey = (keys: ReadonlyArray<string>, key: string): ReadonlyArray<string> => (keys.includes(key) ? keys : [...keys, key].sort())

const answerFor = (s: ServiceState, key: string): Answer | undefined => s.answers.find((a) => a.key === key)

const reply = (m: Extract<SagaMessage, { _tag: "Do" | "Undo" }>, result: StepResult): SagaMessage =>
  m._tag === "Do" ? { _tag: "Done", step: m.step, key: m.key, result } : { _tag: "Undone", step: m.step, key: m.key }

export const serviceOnMessage = (idempotent: boolean, s: ServiceState, message: SagaMessage): ServiceStep => {
  if (message._tag !== "Do" && message._tag !== "Undo") return step(s)
  const known = answerFor(s, message.key)
  if (idempotent && known !== undefined) {
    return step({ ...s, replayed: withKey(s.replayed, message.key) }, [send(ORCHESTRATOR, reply(message, known.result))])
  }
  if (message._tag === "Do") {
    if (s.pending.includes(message.key)) return step(s)
    const decide = (result: StepResult) => setTimer<SagaTimer>({ _tag: "Decide", step: message.step, key: message.key, result })
    return step({ ...s, pending: withKey(s.pending, message.key) }, [decide("ok"), decide("refused")])
  }
  const took = s.ledger.some((entry) => entry.step === message.step && entry.op === "do")
  return step(
    {
      ...s,
      ledger: took ? [...s.ledger, ledgerEntry(message.step, "undo", message.key)] : s.ledger,
      answers: record(s.answers, { key: message.key, result: "ok" })
    },
    [send(ORCHESTRATOR, reply(message, "ok"))]
  )
}

export const serviceOnTimer = (s: ServiceState, timer: SagaTimer): ServiceStep => {
  if (timer._tag !== "Decide" || !s.pending.includes(timer.key)) return step(s)
  const other: StepResult = timer.result === "ok" ? "refused" : "ok"
  return step(
    {
      ...s,
      ledger: timer.result === "ok" ? [...s.ledger, ledgerEntry(timer.step, "do", timer.key)] : s.ledger,
      answers: record(s.answers, { key: timer.key, result: timer.result }),
      pending: s.pending.filter((key) => key !== timer.key)
    },
    [
      cancelTimer({ ...timer, result: other }),
      send(ORCHESTRATOR, { _tag: "Done", step: timer.step, key: timer.key, result: timer.result })
    ]
  )
}

export const serviceDurable = (s: ServiceState): ServiceDurable => ({ _tag: "Service", ledger: s.ledger, answers: s.answers })

/** A restarted service keeps its ledger and table; a pending decision is forgotten, and the orchestrator's resend asks again. */
export const serviceRecover = (d: ServiceDurable): ServiceStep => step({ ...initialService, ledger: d.ledger, answers: d.answers })
