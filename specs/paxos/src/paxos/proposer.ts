/**
 * The proposer: it starts a ballot (phase 1a), and with a quorum of promises
 * proposes a value (phase 2a): the value of the highest-ballot vote any
 * promise reported, or its own input when none did. That choice is what
 * keeps a value that may already be chosen.
 */
import { send, setTimer, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { Ballot } from "../ballot.ts"
import { emptySet, sortedSetWith } from "../node-set.ts"
import { inputOf, nextBallot, quorum } from "./config.ts"
import type { PaxosConfig } from "./config.ts"
import type { PaxosMessage, PaxosTimer, ProposerDurable, Value, Vote } from "./messages.ts"

export interface ProposerState {
  readonly role: "proposer"
  /** Its own id: a handler is given no context, and the id picks the proposer's ballots and input. */
  readonly self: NodeId
  readonly ballot: Ballot
  readonly phase: "idle" | "preparing" | "accepting"
  /** The acceptors that promised `ballot`: a set (see node-set.ts), so arrival order does not split states. */
  readonly promisedBy: ReadonlyArray<NodeId>
  /** The highest-ballot vote those promises reported. */
  readonly highest: Vote | null
  /** The value sent in phase 2a of `ballot`. */
  readonly proposal: Value | null
}

type ProposerStep = Step<ProposerState, PaxosMessage, PaxosTimer, never>

const idle = (self: NodeId, ballot: Ballot): ProposerState => ({ role: "proposer", self, ballot, phase: "idle", promisedBy: emptySet(), highest: null, proposal: null })

export const proposerInit = (self: NodeId): ProposerStep => step(idle(self, 0), [setTimer("new-ballot")])

/** Phase 1a in the proposer's next ballot. The timer stays set: if this ballot stalls, the next one starts. */
export const proposerOnTimer = (config: PaxosConfig, s: ProposerState): ProposerStep => {
  const ballot = nextBallot(config, s.self, s.ballot)
  return step(
    { ...idle(s.self, ballot), phase: "preparing" },
    [...config.acceptors.map((acceptor) => send<PaxosMessage>(acceptor, { _tag: "Prepare", ballot })), setTimer("new-ballot")]
  )
}

const higher = (a: Vote | null, b: Vote | null): Vote | null => (a === null || (b !== null && b.ballot > a.ballot) ? b : a)

export const proposerOnMessage = (config: PaxosConfig, s: ProposerState, from: NodeId, m: PaxosMessage): ProposerStep => {
  if (m._tag !== "Promise" || s.phase !== "preparing" || m.ballot !== s.ballot || s.promisedBy.includes(from)) return step(s)
  const promisedBy = sortedSetWith(s.promisedBy, from)
  const highest = higher(s.highest, m.accepted)
  if (promisedBy.length < quorum(config)) return step({ ...s, promisedBy, highest })
  const value = highest === null || config.bugs.ignoreAccepted ? inputOf(config, s.self) : highest.value
  // Phase 2a goes to the quorum that promised: any set of acceptors is allowed, and
  // that quorum is the one known to be listening to this ballot.
  return step(
    { ...s, phase: "accepting", promisedBy, highest: null, proposal: value },
    promisedBy.map((acceptor) => send<PaxosMessage>(acceptor, { _tag: "Accept", ballot: s.ballot, value }))
  )
}

export const proposerDurable = (s: ProposerState): ProposerDurable => ({ _tag: "Proposer", ballot: s.ballot })

/** A restarted proposer has lost its round; it resumes from the highest ballot it used, never reusing one. */
export const proposerRecover = (self: NodeId, d: ProposerDurable): ProposerStep => step(idle(self, d.ballot), [setTimer("new-ballot")])
