/**
 * The learner hears every acceptor's votes. A value is chosen once a quorum
 * of acceptors voted for it in one ballot; the learner keeps every vote it
 * heard, so the properties can ask which values were chosen, not only which
 * one it noticed first.
 */
import { step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { PaxosConfig } from "./config.ts"
import { quorum } from "./config.ts"
import { emptySet, sortedSetWith } from "../node-set.ts"
import type { HeardVote, LearnerDurable, PaxosMessage, Value } from "./messages.ts"

export interface LearnerState {
  readonly role: "learner"
  /** A set (see node-set.ts), sorted by ballot, then acceptor. */
  readonly votes: ReadonlyArray<HeardVote>
}

export const initialLearner: LearnerState = { role: "learner", votes: emptySet() }

const byBallotThenAcceptor = (a: HeardVote, b: HeardVote): number =>
  a.ballot - b.ballot || (a.acceptor < b.acceptor ? -1 : a.acceptor > b.acceptor ? 1 : 0)

export const learnerOnMessage = (s: LearnerState, from: NodeId, m: PaxosMessage): Step<LearnerState, never, never, never> => {
  if (m._tag !== "Accepted") return step(s)
  if (s.votes.some((v) => v.ballot === m.ballot && v.acceptor === from)) return step(s)
  return step({ ...s, votes: sortedSetWith(s.votes, { ballot: m.ballot, value: m.value, acceptor: from }, byBallotThenAcceptor) })
}

/** The values a quorum voted for in some ballot, in ballot order. More than one is the failure Paxos exists to prevent. */
export const chosenValues = (config: PaxosConfig, votes: ReadonlyArray<HeardVote>): ReadonlyArray<Value> => {
  const chosen: Array<Value> = []
  const perBallot = new Map<number, Array<HeardVote>>()
  for (const vote of votes) perBallot.set(vote.ballot, [...(perBallot.get(vote.ballot) ?? []), vote])
  for (const ballotVotes of perBallot.values()) {
    // One ballot has one proposer, which proposes one value, so a ballot's votes agree.
    const value = ballotVotes[0]!.value
    if (ballotVotes.length >= quorum(config) && !chosen.includes(value)) chosen.push(value)
  }
  return chosen
}

export const learnerDurable = (s: LearnerState): LearnerDurable => ({ _tag: "Learner", votes: s.votes })
