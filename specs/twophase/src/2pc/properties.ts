/**
 * What the checker checks of the `2pc` system, transaction by transaction.
 * A crashed node counts by its durable log: a participant that committed
 * and then crashed has still committed.
 */
import { always, eventually, leadsTo, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { TwoPcClientState } from "./client.ts"
import type { TwoPcActor, TwoPcNodeState } from "./node.ts"
import type { ParticipantPhase, TwoPcDecision, TwoPcLog, TwoPcTimer, TwoPcVote, TxId, Write } from "./messages.ts"

/** The coordinator, the participants and the clients; spec.ts builds one. */
export type TwoPhaseCommitSystem = SystemSpecOf<TwoPcActor, TwoPcClientState>
export type TwoPcSystemState = SystemStateOf<TwoPhaseCommitSystem>

type Slot = NodeSlot<TwoPcNodeState, TwoPcTimer, TwoPcLog>

interface ParticipantRecord {
  readonly id: TxId
  readonly phase: ParticipantPhase
  readonly voted: TwoPcVote | null
  readonly writes: ReadonlyArray<Write>
}

interface CoordinatorRecord {
  readonly id: TxId
  readonly participants: ReadonlyArray<string>
  readonly decision: TwoPcDecision | null
}

/** A participant's transactions, live or from its log; undefined for the coordinator. */
const participantTxs = (slot: Slot): ReadonlyArray<ParticipantRecord> | undefined => {
  const record = slot.up ? slot.state : slot.durable
  return record.role === "participant" ? record.txs : undefined
}

/** Whether `test` holds of some participant's transactions. */
const someParticipant = (s: TwoPcSystemState, test: (txs: ReadonlyArray<ParticipantRecord>, up: boolean) => boolean): boolean => {
  for (const slot of s.nodes) {
    const txs = participantTxs(slot)
    if (txs !== undefined && test(txs, slot.up)) return true
  }
  return false
}

const someTx = (s: TwoPcSystemState, test: (tx: ParticipantRecord) => boolean): boolean => someParticipant(s, (txs) => txs.some(test))

/** The coordinator's transactions: a live one's, or what a crashed one's log holds. */
const coordinatorTxs = (s: TwoPcSystemState): ReadonlyArray<CoordinatorRecord> => {
  for (const slot of s.nodes) {
    if (slot.up && slot.state.role === "coordinator") return slot.state.txs
    if (!slot.up && slot.durable.role === "coordinator") return slot.durable.txs
  }
  return []
}

const opposite = (decision: TwoPcDecision): ParticipantPhase => (decision === "commit" ? "aborted" : "committed")

const endedAs = (s: TwoPcSystemState, id: TxId, phase: ParticipantPhase): boolean => someTx(s, (tx) => tx.id === id && tx.phase === phase)

const toldClient = (s: TwoPcSystemState, decision: TwoPcDecision): boolean =>
  s.history.some((event) => event._tag === "Return" && event.response._tag === "Outcome" && event.response.decision === decision)

const shareKey = (a: ParticipantRecord, b: ParticipantRecord): boolean => a.writes.some((w) => b.writes.some((v) => v.key === w.key))

/** Atomicity (Gray's and Lamport's TCConsistent): no participant commits a transaction another aborts. */
export const agreement = always<TwoPcSystemState>("Agreement", (s) => !someTx(s, (tx) => tx.phase === "committed" && endedAs(s, tx.id, "aborted")))

/**
 * The decision stands: no participant has ended a transaction against the
 * coordinator's decision, live or logged. Agreement among participants
 * alone misses a coordinator that changed its mind after all of them had
 * heard the first decision, and with one participant it says nothing.
 */
export const coordinatorAgrees = always<TwoPcSystemState>("CoordinatorAgrees", (s) =>
  coordinatorTxs(s).every((tx) => tx.decision === null || !endedAs(s, tx.id, opposite(tx.decision))))

/**
 * Validity: a participant commits a transaction only if every participant
 * the coordinator asked voted yes. `nodes` are the system's node ids, in
 * the order of its slots.
 */
export const commitNeedsAllYes = (nodes: ReadonlyArray<string>) =>
  always<TwoPcSystemState>("CommitNeedsAllYes", (s) =>
    !someTx(s, (committed) => {
      if (committed.phase !== "committed") return false
      const asked = coordinatorTxs(s).find((tx) => tx.id === committed.id)
      return asked === undefined || s.nodes.some((slot, i) => {
        const txs = participantTxs(slot)
        return txs !== undefined && asked.participants.includes(nodes[i]!) && txs.find((tx) => tx.id === committed.id)?.voted !== "yes"
      })
    }))

/** The client is never told an outcome a participant contradicts. */
export const clientOutcomeMatches = always<TwoPcSystemState>("ClientOutcomeMatches", (s) =>
  s.history.every((event) =>
    event._tag !== "Return" || event.response._tag !== "Outcome" || !endedAs(s, event.response.tx, opposite(event.response.decision))
  ))

/** Isolation of writes: at a participant, two prepared transactions never hold a lock on one key. */
export const locksExclusive = always<TwoPcSystemState>("LocksExclusive", (s) =>
  !someParticipant(s, (txs) => {
    const prepared = txs.filter((tx) => tx.phase === "prepared")
    return prepared.some((a, i) => prepared.some((b, j) => j > i && shareKey(a, b)))
  }))

const liveUndecided = (s: TwoPcSystemState, test: (phase: ParticipantPhase) => boolean): boolean =>
  someParticipant(s, (txs, up) => up && txs.some((tx) => test(tx.phase)))

/**
 * Liveness, checked with `--liveness`: a participant that voted yes
 * eventually learns the outcome. It holds when nothing crashes; with a crash
 * budget it fails, since a prepared participant may not decide alone and a
 * crashed coordinator may stay down forever: 2PC blocks.
 */
export const preparedDecides = leadsTo<TwoPcSystemState>(
  "PreparedDecides",
  (s) => liveUndecided(s, (phase) => phase === "prepared"),
  (s) => !liveUndecided(s, (phase) => phase === "prepared")
)

/** Liveness: every transaction at a participant that is up ends committed or aborted. */
export const liveParticipantsDecide = eventually<TwoPcSystemState>(
  "LiveParticipantsDecide",
  (s) => !liveUndecided(s, (phase) => phase === "working" || phase === "prepared")
)

const coordinatorSlot = (s: TwoPcSystemState): Slot | undefined =>
  s.nodes.find((slot) => (slot.up ? slot.state : slot.durable).role === "coordinator")

/**
 * The properties for a crash budget and a number of transactions: the
 * crash-related witnesses only when crashes can happen, the conflicts only
 * when transactions can meet, so that no configuration reports a witness it
 * cannot reach.
 */
export const twoPcProperties = (
  nodes: ReadonlyArray<string>,
  maxCrashes: number,
  transactions: number
): ReadonlyArray<Property<TwoPcSystemState>> => [
  agreement,
  coordinatorAgrees,
  commitNeedsAllYes(nodes),
  clientOutcomeMatches,
  locksExclusive,
  preparedDecides,
  liveParticipantsDecide,
  sometimes("Committed", (s) => coordinatorTxs(s).some((tx) => tx.decision === "commit" && !someTx(s, (p) => p.id === tx.id && p.phase !== "committed"))),
  sometimes("Aborted", (s) => someTx(s, (tx) => tx.phase === "aborted")),
  /** A participant said yes and still aborted: the coordinator may abort whatever the votes (a no elsewhere, a timeout). */
  sometimes("AbortedAfterYes", (s) => someTx(s, (tx) => tx.phase === "aborted" && tx.voted === "yes")),
  sometimes("ClientToldCommit", (s) => toldClient(s, "commit")),
  sometimes("ClientToldAbort", (s) => toldClient(s, "abort")),
  ...(transactions < 2 ? [] : [
    /** A conflict refused: a participant holds one transaction's lock and has voted no on another that wants the key. */
    sometimes<TwoPcSystemState>("ConflictRefused", (s) =>
      someParticipant(s, (txs) =>
        txs.some((held) => held.phase === "prepared" && txs.some((refused) => refused.voted === "no" && shareKey(held, refused))))),
    /** The lock is released at the decision: two transactions on one key both committed, one after the other. */
    sometimes<TwoPcSystemState>("BothCommittedInTurn", (s) =>
      someParticipant(s, (txs) => txs.some((a, i) => txs.some((b, j) => j > i && a.phase === "committed" && b.phase === "committed" && shareKey(a, b)))))
  ]),
  ...(maxCrashes === 0 ? [] : [
    sometimes<TwoPcSystemState>("CoordinatorRecovered", (s) => {
      const c = coordinatorSlot(s)
      return c !== undefined && c.up && c.state.role === "coordinator" && c.state.recovered
    }),
    /** The log at work: a restarted coordinator found a commit in its log and sent it again. */
    sometimes<TwoPcSystemState>("CoordinatorRecoveredCommit", (s) => {
      const c = coordinatorSlot(s)
      return c !== undefined && c.up && c.state.role === "coordinator" && c.state.recovered && c.state.txs.some((tx) => tx.decision === "commit")
    }),
    /**
     * 2PC's known blocking: a participant that voted yes may not decide
     * alone, so while the coordinator is down it can only wait. Three-phase
     * commit and Paxos Commit (Gray & Lamport) remove this window.
     */
    sometimes<TwoPcSystemState>("BlockedWhileCoordinatorDown", (s) => {
      const c = coordinatorSlot(s)
      return c !== undefined && !c.up && someTx(s, (tx) => tx.phase === "prepared")
    })
  ])
]

/** Every participant has ended every transaction it knows, and the coordinator collects none; stale messages may remain. */
export const twoPcTerminal = (s: TwoPcSystemState): boolean =>
  !someTx(s, (tx) => tx.phase === "working" || tx.phase === "prepared") && coordinatorTxs(s).every((tx) => tx.decision !== null)
