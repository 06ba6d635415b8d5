import type { NodeId } from "@parley/core"
import { majority } from "../ballot.ts"
import type { Ballot } from "../ballot.ts"
import type { PaxosBugs } from "../bugs.ts"
import type { Value } from "./messages.ts"

/** Who plays which role. Every node knows the whole cluster, as a deployment's configuration file says it. */
export interface PaxosConfig {
  readonly proposers: ReadonlyArray<NodeId>
  readonly acceptors: ReadonlyArray<NodeId>
  readonly learners: ReadonlyArray<NodeId>
  /** The value each proposer proposes unless a promise forces another. */
  readonly inputs: Readonly<Record<NodeId, Value>>
  readonly bugs: PaxosBugs
}

/** A quorum of acceptors is a majority of them. */
export const quorum = (config: PaxosConfig): number => majority(config.acceptors.length)

/** The ballot `proposer` starts after `current`: its first (its 1-based index), then every P-th. */
export const nextBallot = (config: PaxosConfig, proposer: NodeId, current: Ballot): Ballot =>
  current === 0 ? config.proposers.indexOf(proposer) + 1 : current + config.proposers.length

export const inputOf = (config: PaxosConfig, proposer: NodeId): Value => {
  const input = config.inputs[proposer]
  if (input === undefined) throw new RangeError(`paxos proposer ${proposer} has no input value`)
  return input
}
