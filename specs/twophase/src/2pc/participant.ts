/**
 * A participant (resource manager) of two-phase commit with presumed abort.
 *
 * - On Prepare it sets CastVote(yes) and CastVote(no): its local choice, as
 *   data. The first to fire is its vote and cancels the other.
 * - Voting yes, it becomes prepared — durably, as the host persists
 *   `durable(state)` before sending Vote(yes) — and from then on it may not
 *   decide alone: it is in doubt until the coordinator's decision comes.
 * - Voting no, it aborts at once (unilateral abort is allowed before yes).
 * - A Decision from the coordinator ends a working or prepared participant.
 *   A Decision to a participant that has already ended changes nothing.
 *   A working participant applies a Commit as it comes, so that a
 *   coordinator bug shows as a broken `CommitNeedsAllYes`, not as a silent
 *   refusal.
 * - Recovery, as in R*'s presumed abort: a prepared participant is still in
 *   doubt, so on restart it sends one Inquire to the coordinator (a Decision
 *   sent while it was down was lost with it). A working one had nothing
 *   durable: its work is lost, so it aborts and will vote no if Prepare
 *   comes. Committed and aborted stay so.
 *
 * Inquiry happens only on restart, once per incarnation, never on a timer
 * while running: without loss the coordinator's decision (sent to everyone
 * when it decides, and again when it restarts) reaches every participant
 * that stays up, so a running participant's inquiry adds no outcome, only
 * interleavings (five times the states at 3 participants, 1 crash). Under
 * loss a participant whose Decision is dropped waits until it restarts:
 * safety holds, liveness needs retries, which would make the state space
 * infinite unless bounded.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import { COORDINATOR } from "./coordinator.ts"
import { castVote, inquire, voteMessage } from "./messages.ts"
import type {
  ParticipantLog,
  ParticipantPhase,
  TwoPcDecision,
  TwoPcMessage,
  TwoPcResponse,
  TwoPcTimer,
  TwoPcVote
} from "./messages.ts"

export interface ParticipantState {
  readonly role: "participant"
  readonly phase: ParticipantPhase
  /** What it answered to Prepare; durable, so the properties see it on a crashed node too. */
  readonly voted: TwoPcVote | null
}

type ParticipantStep = Step<ParticipantState, TwoPcMessage, TwoPcTimer, TwoPcResponse>
type ParticipantOutput = Output<TwoPcMessage, TwoPcTimer, TwoPcResponse>

export const initialParticipant: ParticipantState = Object.freeze({ role: "participant", phase: "working", voted: null })

const other = (vote: TwoPcVote): TwoPcVote => (vote === "yes" ? "no" : "yes")

/** Votes: yes prepares (and arms the one inquiry), no aborts. */
const cast = (vote: TwoPcVote, out: ReadonlyArray<ParticipantOutput>): ParticipantStep =>
  vote === "yes"
    ? step({ role: "participant", phase: "prepared", voted: "yes" }, [
      ...out,
      send(COORDINATOR, voteMessage("yes"))
    ])
    : step({ role: "participant", phase: "aborted", voted: "no" }, [...out, send(COORDINATOR, voteMessage("no"))])

/** Ends a working or prepared participant with the coordinator's decision, cancelling what it was waiting on. */
const learn = (state: ParticipantState, decision: TwoPcDecision): ParticipantStep => {
  const phase = decision === "commit" ? "committed" : "aborted"
  switch (state.phase) {
    case "working":
      return step({ ...state, phase }, [cancelTimer(castVote("yes")), cancelTimer(castVote("no"))])
    case "prepared":
      return step({ ...state, phase })
    case "committed":
    case "aborted":
      return step(state)
  }
}

export const participantInit = (): ParticipantStep => step(initialParticipant)

export const participantOnMessage = (state: ParticipantState, from: NodeId, message: TwoPcMessage): ParticipantStep => {
  if (from !== COORDINATOR) return step(state)
  switch (message._tag) {
    case "Prepare":
      if (state.phase === "working") return step(state, [setTimer(castVote("yes")), setTimer(castVote("no"))])
      // It lost its work in a crash, or an early Abort ended it: it can only say no.
      if (state.phase === "aborted" && state.voted === null) return cast("no", [])
      // It has answered already; the coordinator never asks twice, so this is a duplicate.
      return step(state)
    case "Decision":
      return learn(state, message.decision)
    case "Vote":
    case "Inquire":
      return step(state)
  }
}

export const participantOnTimer = (state: ParticipantState, timer: TwoPcTimer): ParticipantStep => {
  switch (timer._tag) {
    case "CastVote":
      return state.phase === "working" ? cast(timer.vote, [cancelTimer(castVote(other(timer.vote)))]) : step(state)
    case "VoteTimeout":
    case "FlushLog":
      return step(state)
  }
}

export const participantDurable = (state: ParticipantState): ParticipantLog => ({
  role: "participant",
  phase: state.phase,
  voted: state.voted
})

export const participantRecover = (log: ParticipantLog): ParticipantStep => {
  switch (log.phase) {
    case "working":
      return step({ role: "participant", phase: "aborted", voted: log.voted })
    case "prepared":
      return step({ role: "participant", phase: "prepared", voted: log.voted }, [send(COORDINATOR, inquire)])
    case "committed":
    case "aborted":
      return step({ role: "participant", phase: log.phase, voted: log.voted })
  }
}
