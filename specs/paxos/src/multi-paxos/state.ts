/**
 * One Multi-Paxos node's state. Every node is an acceptor (its durable
 * promise and votes), may lead (a ballot it prepares or leads, and the
 * proposals in flight), and learns (the slots it knows chosen, applied in
 * order to a key-value store).
 */
import type { NodeId, Output } from "@parley/core"
import { emptyBuckets } from "@parley/kv"
import type { Buckets, KvSession } from "@parley/kv"
import type { Ballot } from "../ballot.ts"
import type { AcceptorState } from "./acceptor.ts"
import type { MultiPaxosMessage, MultiPaxosResponse, MultiPaxosTimer, Slot, SlotValue, SlotVote } from "./messages.ts"

/** A command the leader proposed in its ballot, and the acceptors that accepted it there (itself first of all), sorted. */
export interface Proposal {
  readonly slot: Slot
  readonly command: SlotValue
  readonly acks: ReadonlyArray<NodeId>
}

export type Leadership =
  | { readonly role: "follower" }
  /** Phase 1 of `ballot`: the peers that promised, sorted, and the highest-ballot vote reported per slot (its own included), sorted by slot. */
  | {
    readonly role: "preparing"
    readonly ballot: Ballot
    readonly fromSlot: Slot
    readonly promisedBy: ReadonlyArray<NodeId>
    readonly reported: ReadonlyArray<SlotVote>
  }
  /**
   * Phase 1 of `ballot` done: the leader sends phase 2 to `acceptors`, the
   * peers whose promise made its quorum. `reproposed` counts the commands it
   * took over from earlier ballots, so a trace (and a `sometimes`) can tell a
   * takeover that kept a value from one that found nothing.
   */
  | {
    readonly role: "leading"
    readonly ballot: Ballot
    readonly acceptors: ReadonlyArray<NodeId>
    readonly proposals: ReadonlyArray<Proposal>
    readonly reproposed: number
  }

/** The last command a client had applied and what it returned, so a retry takes effect once. */
export type Session = KvSession

/** A slot this node learned is chosen. */
export interface Learned {
  readonly slot: Slot
  readonly command: SlotValue
}

export interface MultiPaxosState extends AcceptorState {
  /** Its own id: handlers get no context, and the id picks the node's ballots. */
  readonly self: NodeId
  readonly leadership: Leadership
  /** Learned slots, sorted; a slot is applied once every slot before it is learned. */
  readonly log: ReadonlyArray<Learned>
  /** Slots 1 to `applied` are applied to `store`. */
  readonly applied: number
  readonly store: Buckets<string>
  readonly sessions: Buckets<Session>
}

export type MultiPaxosOutput = Output<MultiPaxosMessage, MultiPaxosTimer, MultiPaxosResponse>

/** Outputs collected while one event is handled; the handler returns them with the new state. */
export type Outbox = Array<MultiPaxosOutput>

export const follower: Leadership = Object.freeze({ role: "follower" })

/** A node that starts, or restarts from what its disk kept: a follower that has learned nothing. */
export const initialState = (self: NodeId, acceptor: AcceptorState): MultiPaxosState => ({
  self,
  promised: acceptor.promised,
  accepted: acceptor.accepted,
  leadership: follower,
  log: [],
  applied: 0,
  store: emptyBuckets,
  sessions: emptyBuckets
})

/** The ballot the node prepares or leads; 0 for a follower. */
export const ownBallot = (s: MultiPaxosState): Ballot => (s.leadership.role === "follower" ? 0 : s.leadership.ballot)
