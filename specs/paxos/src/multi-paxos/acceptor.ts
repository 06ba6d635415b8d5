/**
 * A node's acceptor: single-decree Paxos's acceptor, once per slot, with one
 * promise for all of them. It promises to ignore ballots below the highest
 * it saw in a Prepare, and votes in a slot in any ballot not below its
 * promise, keeping only its highest-ballot vote per slot. Both the promise
 * and the votes are durable: the host writes them before the Promise or the
 * Accepted leaves.
 */
import type { Ballot } from "../ballot.ts"
import type { PaxosBugs } from "../bugs.ts"
import type { MultiPaxosDurable, Slot, SlotValue, SlotVote, Snapshot } from "./messages.ts"

export interface AcceptorState {
  readonly promised: Ballot
  /** At most one vote per slot, sorted by slot. */
  readonly accepted: ReadonlyArray<SlotVote>
}

/** The votes a Promise reports: those in `fromSlot` and later. */
export const votesFrom = (a: AcceptorState, fromSlot: Slot): ReadonlyArray<SlotVote> =>
  a.accepted.every((vote) => vote.slot >= fromSlot) ? a.accepted : a.accepted.filter((vote) => vote.slot >= fromSlot)

/** Phase 1b: the acceptor promised `ballot`, or undefined when it promised as high or higher already (no Nack: the leader's timer retries). */
export const promise = <A extends AcceptorState>(a: A, ballot: Ballot): A | undefined =>
  ballot > a.promised ? { ...a, promised: ballot } : undefined

/**
 * Phase 2b: the acceptor voted for `command` in `slot` in `ballot`, or
 * undefined when `ballot` is below its promise. Accepting also promises the
 * ballot, so no lower Accept is taken afterwards.
 */
export const accept = <A extends AcceptorState>(a: A, ballot: Ballot, slot: Slot, command: SlotValue): A | undefined => {
  if (ballot < a.promised) return undefined
  const last = a.accepted.at(-1)
  // A resent Accept changes nothing: the same array keeps the durable save empty.
  if (ballot === a.promised && last !== undefined && last.slot >= slot && voteAt(a.accepted, slot)?.ballot === ballot) return a
  const vote: SlotVote = { slot, ballot, command }
  // The usual case, a slot past every vote, appends: the votes before it stay where they were, so the disk rewrites nothing of them.
  const accepted = last === undefined || slot > last.slot
    ? [...a.accepted, vote]
    : [...a.accepted.filter((v) => v.slot !== slot), vote].sort((x, y) => x.slot - y.slot)
  return { ...a, promised: ballot, accepted }
}

/** The vote in `slot`, by binary search over the sorted votes. */
export const voteAt = (votes: ReadonlyArray<SlotVote>, slot: Slot): SlotVote | undefined => {
  let low = 0
  let high = votes.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const vote = votes[middle]!
    if (vote.slot === slot) return vote
    if (vote.slot < slot) low = middle + 1
    else high = middle - 1
  }
  return undefined
}

/** The votes after `through`: those at or below it are in every node's snapshot. */
export const votesAfter = (votes: ReadonlyArray<SlotVote>, through: Slot | 0): ReadonlyArray<SlotVote> =>
  votes.length === 0 || votes[0]!.slot > through ? votes : votes.filter((vote) => vote.slot > through)

export const acceptorDurable = (a: AcceptorState & { readonly snapshot: Snapshot }): MultiPaxosDurable => ({
  promised: a.promised,
  accepted: a.accepted,
  snapshot: a.snapshot
})

/** After a restart: what the disk kept. forget-promise: only the votes were written, so the promise falls back to their highest ballot. */
export const recoveredAcceptor = (bugs: PaxosBugs, d: MultiPaxosDurable): AcceptorState => ({
  promised: bugs.forgetPromise ? d.accepted.reduce((highest, vote) => Math.max(highest, vote.ballot), 0) : d.promised,
  accepted: d.accepted
})
