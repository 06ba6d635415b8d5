/**
 * What the checker checks of the `2pc` system. A crashed participant counts
 * by its durable log: a participant that committed and then crashed has
 * still committed.
 */
import { always, eventually, leadsTo, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { TwoPcClientState } from "./client.ts"
import type { TwoPcActor, TwoPcNodeState } from "./node.ts"
import type { ParticipantPhase, TwoPcDecision, TwoPcLog, TwoPcTimer, TwoPcVote } from "./messages.ts"

/** The coordinator, the participants and the one client; spec.ts builds one. */
export type TwoPhaseCommitSystem = SystemSpecOf<TwoPcActor, TwoPcClientState>
export type TwoPcSystemState = SystemStateOf<TwoPhaseCommitSystem>

type Slot = NodeSlot<TwoPcNodeState, TwoPcTimer, TwoPcLog>

interface ParticipantRecord {
  readonly phase: ParticipantPhase
  readonly voted: TwoPcVote | null
}

/** A participant's phase and vote, live or from its log; undefined for the coordinator. */
const participant = (slot: Slot): ParticipantRecord | undefined => {
  const record = slot.up ? slot.state : slot.durable
  return record.role === "participant" ? record : undefined
}

const someParticipant = (s: TwoPcSystemState, test: (p: ParticipantRecord) => boolean): boolean => {
  for (const slot of s.nodes) {
    const p = participant(slot)
    if (p !== undefined && test(p)) return true
  }
  return false
}

const everyParticipant = (s: TwoPcSystemState, test: (p: ParticipantRecord) => boolean): boolean =>
  !someParticipant(s, (p) => !test(p))

const opposite = (decision: TwoPcDecision): ParticipantPhase => (decision === "commit" ? "aborted" : "committed")

const someCommitted = (s: TwoPcSystemState): boolean => someParticipant(s, (p) => p.phase === "committed")
const someAborted = (s: TwoPcSystemState): boolean => someParticipant(s, (p) => p.phase === "aborted")

/** The coordinator's slot: the live state, or the log of a crashed one. */
const coordinatorOf = (s: TwoPcSystemState): Slot | undefined => {
  for (const slot of s.nodes) if ((slot.up ? slot.state : slot.durable).role === "coordinator") return slot
  return undefined
}

/** The coordinator's decision: a live one's, or what a crashed one's log holds. */
const coordinatorDecision = (s: TwoPcSystemState): TwoPcDecision | null => {
  const c = coordinatorOf(s)
  if (c === undefined) return null
  if (!c.up) return c.durable.role === "coordinator" ? c.durable.decision : null
  return c.state.role === "coordinator" && c.state.phase === "decided" ? c.state.decision : null
}

const toldClient = (s: TwoPcSystemState, decision: TwoPcDecision): boolean =>
  s.history.some((event) => event._tag === "Return" && event.response.decision === decision)

/** Atomicity (Gray's and Lamport's TCConsistent): no participant commits while another aborts. */
export const agreement = always<TwoPcSystemState>("Agreement", (s) => !(someCommitted(s) && someAborted(s)))

/**
 * The decision stands: no participant has ended against the coordinator's
 * decision, live or logged. Agreement among participants alone misses a
 * coordinator that changed its mind after all of them had heard the first
 * decision (a FIFO network delivers that first decision first), and with one
 * participant Agreement says nothing at all.
 */
export const coordinatorAgrees = always<TwoPcSystemState>("CoordinatorAgrees", (s) => {
  const decision = coordinatorDecision(s)
  return decision === null || !someParticipant(s, (p) => p.phase === opposite(decision))
})

/** Validity: a participant commits only if every participant voted yes. */
export const commitNeedsAllYes = always<TwoPcSystemState>(
  "CommitNeedsAllYes",
  (s) => !someCommitted(s) || everyParticipant(s, (p) => p.voted === "yes")
)

/** The client is never told an outcome a participant contradicts. */
export const clientOutcomeMatches = always<TwoPcSystemState>("ClientOutcomeMatches", (s) => {
  for (const event of s.history) {
    if (event._tag === "Return" && someParticipant(s, (p) => p.phase === opposite(event.response.decision))) return false
  }
  return true
})

const liveParticipants = (s: TwoPcSystemState, test: (phase: ParticipantPhase) => boolean): boolean => {
  for (const slot of s.nodes) {
    if (slot.up && slot.state.role === "participant" && test(slot.state.phase)) return true
  }
  return false
}

/**
 * Liveness, checked with `--liveness`: a participant that voted yes
 * eventually learns the outcome. It holds when nothing crashes; with a crash
 * budget it fails, since a prepared participant may not decide alone and a
 * crashed coordinator may stay down forever: 2PC blocks.
 */
export const preparedDecides = leadsTo<TwoPcSystemState>(
  "PreparedDecides",
  (s) => liveParticipants(s, (phase) => phase === "prepared"),
  (s) => !liveParticipants(s, (phase) => phase === "prepared")
)

/** Liveness: every participant that is up ends committed or aborted. */
export const liveParticipantsDecide = eventually<TwoPcSystemState>(
  "LiveParticipantsDecide",
  (s) => !liveParticipants(s, (phase) => phase !== "committed" && phase !== "aborted")
)

/**
 * The properties for a crash budget: the crash-related witnesses only when
 * crashes can happen, so that no configuration reports a witness it cannot
 * reach.
 */
export const twoPcProperties = (maxCrashes: number): ReadonlyArray<Property<TwoPcSystemState>> => [
  agreement,
  coordinatorAgrees,
  commitNeedsAllYes,
  clientOutcomeMatches,
  preparedDecides,
  liveParticipantsDecide,
  sometimes("Committed", (s) => everyParticipant(s, (p) => p.phase === "committed")),
  sometimes("Aborted", someAborted),
  /** A participant said yes and still aborted: the coordinator may abort whatever the votes (a no elsewhere, a timeout). */
  sometimes("AbortedAfterYes", (s) => someParticipant(s, (p) => p.phase === "aborted" && p.voted === "yes")),
  sometimes("ClientToldCommit", (s) => toldClient(s, "commit")),
  sometimes("ClientToldAbort", (s) => toldClient(s, "abort")),
  ...(maxCrashes === 0 ? [] : [
    sometimes<TwoPcSystemState>("CoordinatorRecovered", (s) => {
      const c = coordinatorOf(s)
      return c !== undefined && c.up && c.state.role === "coordinator" && c.state.recovered
    }),
    /** The log at work: a restarted coordinator found commit in its log and sent it again. */
    sometimes<TwoPcSystemState>("CoordinatorRecoveredCommit", (s) => {
      const c = coordinatorOf(s)
      return c !== undefined && c.up && c.state.role === "coordinator" && c.state.recovered &&
        c.state.phase === "decided" && c.state.decision === "commit"
    }),
    /**
     * 2PC's known blocking: a participant that voted yes may not decide
     * alone, so while the coordinator is down it can only wait. Three-phase
     * commit and Paxos Commit (Gray & Lamport) remove this window.
     */
    sometimes<TwoPcSystemState>("BlockedWhileCoordinatorDown", (s) => {
      const c = coordinatorOf(s)
      return c !== undefined && !c.up && someParticipant(s, (p) => p.phase === "prepared")
    })
  ])
]

/** Every participant has ended; the network may still hold stale messages. */
export const twoPcTerminal = (s: TwoPcSystemState): boolean =>
  everyParticipant(s, (p) => p.phase === "committed" || p.phase === "aborted")
