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
import type { MultiPaxosMessage, MultiPaxosResponse, MultiPaxosTimer, Slot, SlotValue, SlotVote, Snapshot } from "./messages.ts"

/** A command the leader proposed in its ballot, and the acceptors that accepted it there (itself first of all): a set, sorted (see node-set.ts). */
export interface Proposal {
  readonly slot: Slot
  readonly command: SlotValue
  readonly acks: ReadonlyArray<NodeId>
}

export type Leadership =
  | { readonly role: "follower" }
  /** Phase 1 of `ballot`: the peers that promised (a set, sorted: see node-set.ts), and the highest-ballot vote reported per slot (its own included), sorted by slot. */
  | {
    readonly role: "preparing"
    readonly ballot: Ballot
    readonly fromSlot: Slot
    readonly promisedBy: ReadonlyArray<NodeId>
    readonly reported: ReadonlyArray<SlotVote>
  }
  /**
   * Phase 1 of `ballot` done: the leader sends phase 2 to `acceptors` (see
   * leader.ts `acceptorsOf`). `reproposed` counts the commands it took
   * over from earlier ballots, so a trace (and a `sometimes`) can tell a
   * takeover that kept a value from one that found nothing. `peers` holds
   * what each peer last reported: the slots it applied (so the leader knows
   * whom to catch up) and its snapshot's (from which the slots every node
   * may forget follow).
   */
  | {
    readonly role: "leading"
    readonly ballot: Ballot
    readonly acceptors: ReadonlyArray<NodeId>
    readonly proposals: ReadonlyArray<Proposal>
    readonly reproposed: number
    readonly peers: Readonly<Record<NodeId, PeerProgress>>
  }

/** What a follower last told the leader of its progress. */
export interface PeerProgress {
  readonly applied: number
  readonly saved: number
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
  /** The leader this node knows: itself while it leads, else the owner of the highest ballot it promised unless that is itself; kept by node.ts. */
  readonly leader: NodeId | null
  /**
   * Learned slots, sorted; a slot is applied once every slot before it is
   * learned. It holds every slot after the snapshot's, and those down to
   * `compacted` that no restart lost, so a leader can tell a lagging follower.
   */
  readonly log: ReadonlyArray<Learned>
  /** Slots 1 to `applied` are applied to `store`. */
  readonly applied: number
  readonly store: Buckets<string>
  readonly sessions: Buckets<Session>
  /** The store and sessions at a recent applied slot, durable with the votes: what is left of the slots forgotten. */
  readonly snapshot: Snapshot
  /** Every node's snapshot reaches this slot, so votes and learned slots up to it are dropped (0: none). */
  readonly compacted: number
}

export type MultiPaxosOutput = Output<MultiPaxosMessage, MultiPaxosTimer, MultiPaxosResponse>

/** Outputs collected while one event is handled; the handler returns them with the new state. */
export type Outbox = Array<MultiPaxosOutput>

export const follower: Leadership = Object.freeze({ role: "follower" })

export const emptySnapshot: Snapshot = Object.freeze({ through: 0, store: emptyBuckets, sessions: emptyBuckets })

/** A node that starts, or restarts from what its disk kept: a follower that has applied its snapshot and learned nothing since. */
export const initialState = (self: NodeId, acceptor: AcceptorState, snapshot: Snapshot): MultiPaxosState => ({
  self,
  promised: acceptor.promised,
  accepted: acceptor.accepted,
  leadership: follower,
  leader: null,
  log: [],
  applied: snapshot.through,
  store: snapshot.store,
  sessions: snapshot.sessions,
  snapshot,
  compacted: 0
})

/** The ballot the node prepares or leads; 0 for a follower. */
export const ownBallot = (s: MultiPaxosState): Ballot => (s.leadership.role === "follower" ? 0 : s.leadership.ballot)
