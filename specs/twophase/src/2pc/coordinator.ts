/**
 * The coordinator of two-phase commit with presumed abort (Gray 1978;
 * Bernstein, Hadzilacos & Goodman ch. 7; Mohan, Lindsay & Obermarck 1986).
 *
 * - On Begin it sends Prepare to every participant and sets VoteTimeout.
 * - Every participant's yes → commit; a no, or VoteTimeout → abort.
 * - Deciding writes the decision to the log (`durable` includes it) in the
 *   same step that sends it: the host persists `durable(state)` before it
 *   performs the sends, so no participant can learn a decision the log lacks.
 * - An Inquire is answered with the decision once there is one. An undecided
 *   coordinator ignores it: its decision goes to every participant anyway,
 *   and answering Abort without deciding abort could contradict a later
 *   commit.
 * - Recovery: a logged decision is sent again to every participant; with no
 *   decision logged the coordinator presumes abort — it decides abort (logs
 *   it) and sends Abort to every participant, so none has to ask, and any
 *   later Inquire gets the logged Abort. It cannot tell "crashed while
 *   collecting" from "crashed before Begin", so a Begin that arrives after
 *   the restart is answered Outcome(abort): the one transaction is over.
 *   The client's connection does not survive the crash, so a Begin that
 *   arrived before it is never answered.
 * - Presumed abort proper needs no log write for an abort (no record means
 *   abort); this spec logs aborts too, which changes no outcome and keeps
 *   `durable` a plain "the decision, once decided".
 *
 * The variant `no-durable-decision` sends the decision before its log write
 * completes: `logged` stays false until a FlushLog timer fires, and a crash in
 * between loses the decision, so recovery presumes abort after participants
 * may already have committed.
 */
import { cancelTimer, reply, send, setTimer, step } from "@parley/core"
import type { ClientId, NodeId, Output, Step } from "@parley/core"
import { decisionMessage, flushLog, outcome, prepare, voteTimeout } from "./messages.ts"
import type { CoordinatorLog, TwoPcDecision, TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer } from "./messages.ts"

export const COORDINATOR: NodeId = "coordinator"

/**
 * One variant per phase, so a field exists only while it means something.
 * `recovered` is a ghost for properties and traces: this incarnation began in
 * `recover`.
 */
export type CoordinatorState =
  | { readonly role: "coordinator"; readonly phase: "idle"; readonly recovered: boolean }
  | {
    readonly role: "coordinator"
    readonly phase: "collecting"
    /** Whom to answer once decided; volatile. */
    readonly client: ClientId
    /** The participants that voted yes, in declaration order. */
    readonly yes: ReadonlyArray<NodeId>
    readonly recovered: boolean
  }
  | {
    readonly role: "coordinator"
    readonly phase: "decided"
    readonly decision: TwoPcDecision
    /** The decision is in the log: at once, except in `no-durable-decision`. */
    readonly logged: boolean
    readonly recovered: boolean
  }

/** The coordinator's known bugs, each a flag the correct spec leaves off (`twoPhaseCommitSpec` describes them). */
export interface TwoPcBugs {
  /** The `no-durable-decision` bug: the log write lags behind the sends. */
  readonly lazyLog: boolean
}

export const twoPcCorrect: TwoPcBugs = { lazyLog: false }

export interface CoordinatorConfig extends TwoPcBugs {
  /** The participants' ids, in declaration order. */
  readonly participants: ReadonlyArray<NodeId>
}

type CoordinatorStep = Step<CoordinatorState, TwoPcMessage, TwoPcTimer, TwoPcResponse>
type CoordinatorOutput = Output<TwoPcMessage, TwoPcTimer, TwoPcResponse>

export const initialCoordinator: CoordinatorState = Object.freeze({ role: "coordinator", phase: "idle", recovered: false })

const decisionToAll = (config: CoordinatorConfig, decision: TwoPcDecision): Array<CoordinatorOutput> =>
  config.participants.map((to) => send(to, decisionMessage(decision)))

/** Decides, logs (unless the log lags), tells every participant and answers the client. */
const decide = (config: CoordinatorConfig, state: CoordinatorState, decision: TwoPcDecision): CoordinatorStep => {
  const out: Array<CoordinatorOutput> = []
  if (state.phase === "collecting") out.push(cancelTimer(voteTimeout))
  out.push(...decisionToAll(config, decision))
  if (state.phase === "collecting") out.push(reply(state.client, outcome(decision)))
  if (config.lazyLog) out.push(setTimer(flushLog))
  return step({ role: "coordinator", phase: "decided", decision, logged: !config.lazyLog, recovered: state.recovered }, out)
}

export const coordinatorInit = (): CoordinatorStep => step(initialCoordinator)

export const coordinatorOnRequest = (
  config: CoordinatorConfig,
  state: CoordinatorState,
  client: ClientId,
  _request: TwoPcRequest
): CoordinatorStep => {
  switch (state.phase) {
    case "idle":
      return step({ role: "coordinator", phase: "collecting", client, yes: [], recovered: state.recovered }, [
        ...config.participants.map((to) => send(to, prepare)),
        setTimer(voteTimeout)
      ])
    case "collecting":
      // The one transaction is under way; its outcome goes to the client that began it.
      return step(state)
    case "decided":
      return step(state, [reply(client, outcome(state.decision))])
  }
}

export const coordinatorOnMessage = (
  config: CoordinatorConfig,
  state: CoordinatorState,
  from: NodeId,
  message: TwoPcMessage
): CoordinatorStep => {
  if (!config.participants.includes(from)) return step(state)
  switch (message._tag) {
    case "Vote": {
      if (state.phase !== "collecting") return step(state)
      if (message.vote === "no") return decide(config, state, "abort")
      if (state.yes.includes(from)) return step(state)
      const yes = config.participants.filter((p) => p === from || state.yes.includes(p))
      return yes.length === config.participants.length ? decide(config, state, "commit") : step({ ...state, yes })
    }
    case "Inquire":
      return state.phase === "decided" ? step(state, [send(from, decisionMessage(state.decision))]) : step(state)
    case "Prepare":
    case "Decision":
      return step(state)
  }
}

export const coordinatorOnTimer = (config: CoordinatorConfig, state: CoordinatorState, timer: TwoPcTimer): CoordinatorStep => {
  switch (timer._tag) {
    case "VoteTimeout":
      return state.phase === "collecting" ? decide(config, state, "abort") : step(state)
    case "FlushLog":
      return state.phase === "decided" && !state.logged ? step({ ...state, logged: true }) : step(state)
    case "CastVote":
      return step(state)
  }
}

export const coordinatorDurable = (state: CoordinatorState): CoordinatorLog => ({
  role: "coordinator",
  decision: state.phase === "decided" && state.logged ? state.decision : null
})

export const coordinatorRecover = (config: CoordinatorConfig, log: CoordinatorLog): CoordinatorStep => {
  if (log.decision === null) return decide(config, { role: "coordinator", phase: "idle", recovered: true }, "abort")
  return step(
    { role: "coordinator", phase: "decided", decision: log.decision, logged: true, recovered: true },
    decisionToAll(config, log.decision)
  )
}
