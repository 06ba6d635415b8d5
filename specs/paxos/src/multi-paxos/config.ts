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
}

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
