/**
 * The orchestrator: it runs T1…Tn one at a time against their services and,
 * when one is refused, the compensations of the done steps in reverse order.
 *
 * - Each operation is sent with its idempotency key and a `Retry` timer; when
 *   the timer fires before the answer, the same request is sent again, at
 *   most `retries` times. With the budget spent it keeps waiting: it cannot
 *   know whether the step took effect, so it may neither move on nor
 *   compensate (the `compensate-early` variant does, and is caught).
 * - An answer is logged before anything that depends on it is sent (the host
 *   makes `durable` durable first), so the log is always ahead of the world.
 * - A restarted orchestrator reads its log and sends the operation it was
 *   waiting for again, under the same key; a service that already applied it
 *   answers from its idempotency table. The retry count is not durable: a
 *   restart gives the operation a fresh budget, and the crash budget bounds
 *   how often that happens.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import { operationKey, stepAt } from "../steps.ts"
import type { SagaBugs, SagaStep } from "../steps.ts"
import { nextOperation, outcomeOf } from "./log.ts"
import type { NextOperation } from "./log.ts"
import type { LogEntry, OrchestratorDurable, SagaMessage, SagaResponse, SagaTimer } from "./messages.ts"

export interface OrchestratorConfig {
  readonly steps: ReadonlyArray<SagaStep>
  /** Resends of one operation before the orchestrator stops resending. */
  readonly retries: number
  readonly bugs: SagaBugs
}

export interface OrchestratorState {
  readonly role: "orchestrator"
  readonly log: ReadonlyArray<LogEntry>
  /** Resends of the current operation so far; volatile. */
  readonly attempts: number
  /** Restarted from a log in which the saga had begun and not ended: the `sometimes` witness of recovery. */
  readonly recovered: boolean
}

type OrchestratorStep = Step<OrchestratorState, SagaMessage, SagaTimer, SagaResponse>
type OrchestratorOutput = Output<SagaMessage, SagaTimer, SagaResponse>

/** The request for an operation that is a request, with where it goes. */
const request = (config: OrchestratorConfig, op: NextOperation): { readonly to: NodeId; readonly message: SagaMessage } | undefined => {
  if (op._tag !== "Do" && op._tag !== "Undo") return undefined
  const key = operationKey(config.steps, op.step, op._tag === "Do" ? "do" : "undo")
  return { to: stepAt(config.steps, op.step).service, message: { _tag: op._tag, step: op.step, key } }
}

/** Sends the log's next operation and arms its resend timer; nothing once the saga has ended. */
const sendNext = (config: OrchestratorConfig, s: OrchestratorState, out: ReadonlyArray<OrchestratorOutput>): OrchestratorStep => {
  const next = request(config, nextOperation(config.steps.length, s.log))
  if (next === undefined) return step(s, out)
  return step(s, [...out, send(next.to, next.message), setTimer({ _tag: "Retry", key: next.message.key })])
}

/** Logs `entry`, stops the current operation's timer and starts the next operation with a fresh budget. */
const advance = (config: OrchestratorConfig, s: OrchestratorState, entry: LogEntry, key: string): OrchestratorStep =>
  sendNext(config, { ...s, log: [...s.log, entry], attempts: 0 }, [cancelTimer({ _tag: "Retry", key })])

export const orchestratorInit = (config: OrchestratorConfig): OrchestratorStep =>
  sendNext(config, { role: "orchestrator", log: [], attempts: 0, recovered: false }, [])

export const orchestratorOnMessage = (config: OrchestratorConfig, s: OrchestratorState, message: SagaMessage): OrchestratorStep => {
  const current = request(config, nextOperation(config.steps.length, s.log))
  // An answer to anything but the operation in progress is a duplicate or arrived late: the log has moved on.
  if (current === undefined || (message._tag !== "Done" && message._tag !== "Undone") || message.key !== current.message.key) return step(s)
  if (message._tag === "Undone") return advance(config, s, { _tag: "Compensated", step: message.step }, message.key)
  return advance(config, s, { _tag: message.result === "ok" ? "Done" : "Refused", step: message.step }, message.key)
}

export const orchestratorOnTimer = (config: OrchestratorConfig, s: OrchestratorState, timer: SagaTimer): OrchestratorStep => {
  const current = request(config, nextOperation(config.steps.length, s.log))
  if (timer._tag !== "Retry" || current === undefined || timer.key !== current.message.key) return step(s)
  if (s.attempts < config.retries) {
    return step({ ...s, attempts: s.attempts + 1 }, [send(current.to, current.message), setTimer(timer)])
  }
  // The bug: no answer is not a refusal. The step may yet take effect, and nothing will compensate it.
  if (config.bugs.compensateEarly && current.message._tag === "Do") {
    return advance(config, s, { _tag: "GaveUp", step: current.message.step }, current.message.key)
  }
  return step(s)
}

export const orchestratorDurable = (s: OrchestratorState): OrchestratorDurable => ({ _tag: "Orchestrator", log: s.log })

export const orchestratorRecover = (config: OrchestratorConfig, d: OrchestratorDurable): OrchestratorStep => {
  const midSaga = d.log.length > 0 && outcomeOf(config.steps.length, d.log) === undefined
  return sendNext(config, { role: "orchestrator", log: d.log, attempts: 0, recovered: midSaga }, [])
}
