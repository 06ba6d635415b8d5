import { CorrectVariant } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { Ballot, Value } from "./messages.ts"

/** Known bugs a variant switches on; every flag off is Paxos as published. */
export interface PaxosBugs {
  /** An acceptor keeps only its vote across a crash and restarts promised to the ballot of that vote, forgetting higher promises. */
  readonly forgetPromise: boolean
  /** A proposer with a quorum of promises proposes its own value even when a promise reports a vote. */
  readonly ignoreAccepted: boolean
}

export const noBugs: PaxosBugs = { forgetPromise: false, ignoreAccepted: false }

/** The flags of each variant `paxos` and `multi-paxos` offer: the same two bugs, in one decree or in every slot. */
export const paxosVariantBugs: Readonly<Record<string, PaxosBugs>> = {
  [CorrectVariant]: noBugs,
  "forget-promise": { ...noBugs, forgetPromise: true },
  "ignore-accepted": { ...noBugs, ignoreAccepted: true }
}

/** `count` ids `prefix1`, `prefix2`, …, in order. */
export const numberedIds = (prefix: string, count: number): ReadonlyArray<NodeId> => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`)

/** Who plays which role. Every node knows the whole cluster, as a deployment's configuration file says it. */
export interface PaxosConfig {
  readonly proposers: ReadonlyArray<NodeId>
  readonly acceptors: ReadonlyArray<NodeId>
  readonly learners: ReadonlyArray<NodeId>
  /** The value each proposer proposes unless a promise forces another. */
  readonly inputs: Readonly<Record<NodeId, Value>>
  readonly bugs: PaxosBugs
}

/** More than half of `members`: any two such sets share a member, which is all Paxos's safety rests on. */
export const majority = (members: number): number => Math.floor(members / 2) + 1

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
