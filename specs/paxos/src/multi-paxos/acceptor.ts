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
import type { MultiPaxosDurable, Slot, SlotValue, SlotVote } from "./messages.ts"

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
  const vote: SlotVote = { slot, ballot, command }
  const others = a.accepted.filter((v) => v.slot !== slot)
  const accepted = [...others, vote].sort((x, y) => x.slot - y.slot)
  return { ...a, promised: ballot, accepted }
}

export const acceptorDurable = (a: AcceptorState): MultiPaxosDurable => ({ promised: a.promised, accepted: a.accepted })

/** After a restart: what the disk kept. forget-promise: only the votes were written, so the promise falls back to their highest ballot. */
export const recoveredAcceptor = (bugs: PaxosBugs, d: MultiPaxosDurable): AcceptorState => ({
  promised: bugs.forgetPromise ? d.accepted.reduce((highest, vote) => Math.max(highest, vote.ballot), 0) : d.promised,
  accepted: d.accepted
})
