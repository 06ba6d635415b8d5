/**
 * What single-decree Paxos promises (Lamport, "Paxos Made Simple" §2.1), as
 * properties of the cluster the checker explores, and the `sometimes`
 * properties that show the interesting states are reached at all. These are
 * promises under crash faults: an acceptor that lies (a Byzantine fault) can
 * break every one of them, and Paxos does not claim otherwise.
 */
import { always, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { PaxosConfig } from "./config.ts"
import { inputOf } from "./config.ts"
import { chosenValues } from "./learner.ts"
import type { HeardVote, PaxosDurable, PaxosTimer, Value, Vote } from "./messages.ts"
import type { PaxosActor, PaxosState } from "./node.ts"

export type PaxosSystem = SystemSpecOf<PaxosActor>
export type PaxosSystemState = SystemStateOf<PaxosSystem>

type Slot = NodeSlot<PaxosState, PaxosTimer, PaxosDurable>

/** Every vote any learner heard of, once each however many learners heard it; a crashed learner's are its durable ones. */
export const heardVotes = (s: PaxosSystemState): ReadonlyArray<HeardVote> => {
  const votes = new Map<string, HeardVote>()
  for (const vote of s.nodes.flatMap(learnerVotes)) votes.set(`${vote.ballot} ${vote.acceptor}`, vote)
  return [...votes.values()]
}

const learnerVotes = (slot: Slot): ReadonlyArray<HeardVote> => {
  if (slot.up) return slot.state.role === "learner" ? slot.state.votes : []
  return slot.durable._tag === "Learner" ? slot.durable.votes : []
}

/** An acceptor's promise and vote: the live ones, or those a crashed acceptor kept. */
const acceptorsOf = (s: PaxosSystemState): ReadonlyArray<{ readonly promised: number; readonly accepted: Vote | null }> =>
  s.nodes.flatMap((slot): ReadonlyArray<{ readonly promised: number; readonly accepted: Vote | null }> => {
    if (slot.up) return slot.state.role === "acceptor" ? [slot.state] : []
    return slot.durable._tag === "Acceptor" ? [slot.durable] : []
  })

export const chosen = (config: PaxosConfig, s: PaxosSystemState): ReadonlyArray<Value> => chosenValues(config, heardVotes(s))

/** Agreement: no two different values are ever chosen. */
export const atMostOneChosen = (config: PaxosConfig) =>
  always<PaxosSystemState>("AtMostOneChosen", (s) => chosen(config, s).length <= 1)

/** Validity (nontriviality): only a value some proposer was given can be chosen. */
export const chosenWasProposed = (config: PaxosConfig) => {
  const proposed = new Set(config.proposers.map((p) => inputOf(config, p)))
  return always<PaxosSystemState>("ChosenWasProposed", (s) => chosen(config, s).every((value) => proposed.has(value)))
}

/** An acceptor never holds a vote in a ballot above its promise: accepting a ballot promises it. */
export const voteWithinPromise = always<PaxosSystemState>("VoteWithinPromise", (s) =>
  acceptorsOf(s).every((a) => a.accepted === null || a.accepted.ballot <= a.promised))

export const valueChosen = (config: PaxosConfig) =>
  sometimes<PaxosSystemState>("ValueChosen", (s) => chosen(config, s).length > 0)

/** A proposer proposed a value other than its own, because a promise reported it: phase 2's rule at work. */
export const valueAdopted = (config: PaxosConfig) =>
  sometimes<PaxosSystemState>("ValueAdopted", (s) =>
    s.nodes.some((slot) =>
      slot.up && slot.state.role === "proposer" && slot.state.proposal !== null && slot.state.proposal !== inputOf(config, slot.state.self)))

/** Acceptors hold votes from two different ballots: proposers competed. */
export const competingVotes = sometimes<PaxosSystemState>("CompetingVotes", (s) =>
  new Set(acceptorsOf(s).flatMap((a) => (a.accepted === null ? [] : [a.accepted.ballot]))).size >= 2)

/** A value was chosen in a behaviour where an acceptor crashed and came back. */
export const chosenDespiteRestart = (config: PaxosConfig) =>
  sometimes<PaxosSystemState>("ChosenDespiteRestart", (s) => s.crashes > 0 && s.nodes.every((slot) => slot.up) && chosen(config, s).length > 0)

export const paxosProperties = (config: PaxosConfig, crashes: number): ReadonlyArray<Property<PaxosSystemState>> => [
  atMostOneChosen(config),
  chosenWasProposed(config),
  voteWithinPromise,
  valueChosen(config),
  ...(config.proposers.length >= 2 ? [valueAdopted(config), competingVotes] : []),
  ...(crashes > 0 ? [chosenDespiteRestart(config)] : [])
]
