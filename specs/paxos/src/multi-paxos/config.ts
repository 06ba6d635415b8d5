/**
 * The configuration every Multi-Paxos node shares, and the ballot arithmetic
 * that lets a node name the leader of any ballot without asking.
 */
import type { NodeId } from "@parley/core"
import { majority } from "../ballot.ts"
import type { Ballot } from "../ballot.ts"
import type { PaxosBugs } from "../bugs.ts"

export interface MultiPaxosConfig {
  /** Every node, in a stable order; each is proposer, acceptor and learner at once. */
  readonly nodes: ReadonlyArray<NodeId>
  readonly bugs: PaxosBugs
  /** A node snapshots its store once it applied this many slots past its last snapshot (see `snapshotEveryOf` for the default). */
  readonly snapshotEvery?: number
  /** Chosen slots per catch-up message to a lagging follower. */
  readonly catchUpBatch?: number
  /**
   * The leader's heartbeat, which lets followers learn, catches up a lagging
   * one, and drives compaction. Off, followers never learn and only a leader
   * applies: the Multi-Paxos of the papers, and the default check's, whose
   * search it keeps small. A host turns it on; test/multi-paxos checks it on
   * smaller bounds.
   */
  readonly heartbeats?: boolean
  /**
   * The heartbeat goes to every peer even when it has no news for it, and
   * resends each Accept not yet answered: what a real network needs, where
   * the heartbeat is the failure detector and a broken connection loses
   * frames (a host turns it on). A model's network loses only what the
   * checker chooses, and an idle heartbeat changes no state it sees, so
   * there the heartbeat goes only to a peer that lacks chosen slots.
   */
  readonly resendIdle?: boolean
  /** Client sessions idle this long by the leader's clock end (see sessions.ts); only stamped requests carry time. */
  readonly sessionExpiryMs?: number
}

/** In a model with heartbeats, whose logs hold a few slots, a snapshot every second slot; without, none (nothing would be compacted). */
export const snapshotEveryOf = (config: MultiPaxosConfig): number => config.snapshotEvery ?? (config.heartbeats === true ? 2 : Infinity)

export const catchUpBatchOf = (config: MultiPaxosConfig): number => config.catchUpBatch ?? 64

/** A majority of the nodes, each an acceptor. */
export const quorumOf = (config: MultiPaxosConfig): number => majority(config.nodes.length)

/** The node that owns `ballot`: ballots 1, 1+N, 1+2N, … are the first node's, and so on. */
export const ownerOf = (config: MultiPaxosConfig, ballot: Ballot): NodeId => {
  if (ballot < 1) throw new RangeError(`ballot ${ballot} has no owner`)
  return config.nodes[(ballot - 1) % config.nodes.length]!
}

/** The smallest ballot `self` owns above `above`: a node's next ballot is above every ballot it promised, so it never reuses one. */
export const nextBallotOf = (config: MultiPaxosConfig, self: NodeId, above: Ballot): Ballot => {
  const first = config.nodes.indexOf(self) + 1
  if (first === 0) throw new RangeError(`multi-paxos node ${self} is not in the cluster`)
  const n = config.nodes.length
  return above < first ? first : first + n * (Math.floor((above - first) / n) + 1)
}

export const peersOf = (config: MultiPaxosConfig, self: NodeId): ReadonlyArray<NodeId> => config.nodes.filter((node) => node !== self)
