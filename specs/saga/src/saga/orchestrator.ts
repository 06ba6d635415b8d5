/**
 * The orchestrator: for each saga it runs T1…Tn one at a time against their
 * services and, when one is refused, the compensations of the done steps in
 * reverse order. Sagas are independent of each other: each has its own log,
 * its own operation in progress and its own resend timer.
 *
 * - Each operation is sent with its idempotency key and a `Retry` timer; when
 *   the timer fires before the answer, the same request is sent again, at
 *   most `retries` times (a hosted orchestrator's budget is unbounded). With
 *   the budget spent it keeps waiting: it cannot know whether the step took
 *   effect, so it may neither move on nor compensate (the `compensate-early`
 *   variant does, and is caught).
 * - An answer is logged before anything that depends on it is sent (the host
 *   makes `durable` durable first), so the log is always ahead of the world;
 *   so is a new saga before its id is answered.
 * - A restarted orchestrator reads its logs and sends each operation it was
 *   waiting for again, under the same key; a service that already applied it
 *   answers from its idempotency table. The retry count is not durable: a
 *   restart gives the operation a fresh budget, and the crash budget bounds
 *   how often that happens.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import { freshSagaId } from "../policy.ts"
import { operationKey, stepAt } from "../steps.ts"
import type { SagaBugs, SagaStep } from "../steps.ts"
import { nextOperation, outcomeOf } from "./log.ts"
import type { LogEntry, OrchestratorDurable, SagaMessage, SagaRecord, SagaTimer } from "./messages.ts"
import { originOf } from "../requests.ts"
import type { SagaRequest } from "../requests.ts"
import type { SagaResponse } from "./responses.ts"
import { sagaState, sagaReport } from "./view.ts"

export interface OrchestratorConfig {
  readonly steps: ReadonlyArray<SagaStep>
  /** Resends of one operation before the orchestrator stops resending; Infinity never stops. */
  readonly retries: number
  readonly bugs: SagaBugs
  /** Sagas started at start-up: the model's one order; none for a hosted orchestrator, whose clients start them. */
  readonly initialSagas: ReadonlyArray<string>
}

export interface SagaRun extends SagaRecord {
  /** Resends of the current operation so far; volatile. */
  readonly attempts: number
}

export interface OrchestratorState {
  readonly role: "orchestrator"
  /** In the order they started. */
  readonly sagas: ReadonlyArray<SagaRun>
  /** Restarted from a log in which a saga had begun and not ended: the `sometimes` witness of recovery. */
  readonly recovered: boolean
}

type OrchestratorStep = Step<OrchestratorState, SagaMessage, SagaTimer, SagaResponse>
type OrchestratorOutput = Output<SagaMessage, SagaTimer, SagaResponse>
type Operation = Extract<SagaMessage, { _tag: "Do" | "Undo" }>

/** The request for saga `run`'s next operation, with where it goes; undefined once the saga has ended. */
export const currentRequest = (config: OrchestratorConfig, run: SagaRecord): { readonly to: NodeId; readonly message: Operation } | undefined => {
  const op = nextOperation(config.steps.length, run.log)
  if (op._tag !== "Do" && op._tag !== "Undo") return undefined
  const key = operationKey(config.steps, run.saga, op.step, op._tag === "Do" ? "do" : "undo")
  return { to: stepAt(config.steps, op.step).service, message: { _tag: op._tag, saga: run.saga, step: op.step, key } }
}

const withRun = (s: OrchestratorState, run: SagaRun): OrchestratorState => ({
  ...s,
  sagas: s.sagas.map((r) => (r.saga === run.saga ? run : r))
})

/** The outputs that send saga `run`'s next operation and arm its resend timer; none once it has ended. */
const sendNext = (config: OrchestratorConfig, run: SagaRecord): ReadonlyArray<OrchestratorOutput> => {
  const next = currentRequest(config, run)
  if (next === undefined) return []
  return [send(next.to, next.message), setTimer({ _tag: "Retry", saga: run.saga, key: next.message.key })]
}

/** Logs `entry` in saga `run`, stops its operation's timer and starts its next operation with a fresh budget. */
const advance = (config: OrchestratorConfig, s: OrchestratorState, run: SagaRun, entry: LogEntry, key: string): OrchestratorStep => {
  const logged: SagaRun = { ...run, log: [...run.log, entry], attempts: 0 }
  return step(withRun(s, logged), [cancelTimer({ _tag: "Retry", saga: run.saga, key }), ...sendNext(config, logged)])
}

/** Starts saga `saga` if it is new: it joins the state (and so the durable record) with the step that sends T1. */
export const startSaga = (config: OrchestratorConfig, s: OrchestratorState, saga: string, origin: string | null = null): OrchestratorStep => {
  if (s.sagas.some((run) => run.saga === saga)) return step(s)
  const run: SagaRun = { saga, log: [], origin, attempts: 0 }
  return step({ ...s, sagas: [...s.sagas, run] }, sendNext(config, run))
}

export const orchestratorInit = (config: OrchestratorConfig): OrchestratorStep =>
  config.initialSagas.reduce<OrchestratorStep>((acc, saga) => {
    const started = startSaga(config, acc.state, saga)
    return step(started.state, [...acc.out, ...started.out])
  }, step({ role: "orchestrator", sagas: [], recovered: false }))

const runOf = (s: OrchestratorState, saga: string): SagaRun | undefined => s.sagas.find((run) => run.saga === saga)

export const orchestratorOnMessage = (config: OrchestratorConfig, s: OrchestratorState, message: SagaMessage): OrchestratorStep => {
  if (message._tag !== "Done" && message._tag !== "Undone") return step(s)
  const run = runOf(s, message.saga)
  const current = run === undefined ? undefined : currentRequest(config, run)
  // An answer to anything but the operation in progress is a duplicate or arrived late: the log has moved on.
  if (run === undefined || current === undefined || message.key !== current.message.key) return step(s)
  if (message._tag === "Undone") return advance(config, s, run, { _tag: "Compensated", step: message.step }, message.key)
  return advance(config, s, run, { _tag: message.result === "ok" ? "Done" : "Refused", step: message.step }, message.key)
}

export const orchestratorOnTimer = (config: OrchestratorConfig, s: OrchestratorState, timer: SagaTimer): OrchestratorStep => {
  if (timer._tag !== "Retry") return step(s)
  const run = runOf(s, timer.saga)
  const current = run === undefined ? undefined : currentRequest(config, run)
  if (run === undefined || current === undefined || timer.key !== current.message.key) return step(s)
  if (run.attempts < config.retries) {
    return step(withRun(s, { ...run, attempts: run.attempts + 1 }), [send(current.to, current.message), setTimer(timer)])
  }
  // The bug: no answer is not a refusal. The step may yet take effect, and nothing will compensate it.
  if (config.bugs.compensateEarly && current.message._tag === "Do") {
    return advance(config, s, run, { _tag: "GaveUp", step: current.message.step }, current.message.key)
  }
  return step(s)
}

export const orchestratorDurable = (s: OrchestratorState): OrchestratorDurable => ({
  _tag: "Orchestrator",
  sagas: s.sagas.map(({ saga, log, origin }) => ({ saga, log, origin }))
})

export const orchestratorRecover = (config: OrchestratorConfig, d: OrchestratorDurable): OrchestratorStep => {
  const midSaga = d.sagas.some((run) => run.log.length > 0 && outcomeOf(config.steps.length, run.log) === undefined)
  return step(
    { role: "orchestrator", sagas: d.sagas.map((run) => ({ ...run, attempts: 0 })), recovered: midSaga },
    d.sagas.flatMap((run) => sendNext(config, run))
  )
}

/**
 * A client's request: start a saga (answered once it is in the state the
 * host saves before it replies), show one, or list them. A service's request
 * (its ledger, its policy) is no business of the orchestrator's.
 */
export const orchestratorOnRequest = (config: OrchestratorConfig, s: OrchestratorState, client: string, request: SagaRequest): OrchestratorStep => {
  switch (request._tag) {
    case "Start": {
      const saga = request.saga ?? freshSagaId(s.sagas.map((run) => run.saga))
      const origin = originOf(client, request.seq)
      const started = startSaga(config, s, saga, origin)
      const created = (started.state.sagas.find((run) => run.saga === saga)?.origin ?? null) === origin
      return step(started.state, [...started.out, reply(client, { _tag: "Started", seq: request.seq, saga, created })])
    }
    case "Show": {
      const run = runOf(s, request.saga)
      const view = run === undefined ? null : sagaReport(config.steps, run.saga, run.log)
      return step(s, [reply(client, { _tag: "Shown", seq: request.seq, saga: request.saga, view })])
    }
    case "List": {
      const sagas = s.sagas.map((run) => ({ id: run.saga, state: sagaState(config.steps.length, run.log) }))
      return step(s, [reply(client, { _tag: "Listed", seq: request.seq, sagas })])
    }
    case "Ledger":
    case "SetPolicy":
      return step(s, [reply(client, {
        _tag: "Elsewhere",
        seq: request.seq,
        node: null,
        reason: `the orchestrator runs no step; ask a service: ${config.steps.map((entry) => entry.service).join(", ")}`
      })])
  }
}
