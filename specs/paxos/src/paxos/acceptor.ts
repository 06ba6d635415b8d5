/**
 * The acceptor: the memory of Paxos. It promises to ignore ballots below the
 * highest it has seen in a Prepare, and votes for a value in any ballot not
 * below its promise. Both the promise and the vote are durable: the host
 * writes them before it sends the Promise or the Accepted.
 */
import { send, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { Ballot } from "../ballot.ts"
import type { PaxosBugs } from "../bugs.ts"
import type { PaxosConfig } from "./config.ts"
import type { AcceptorDurable, PaxosMessage, Vote } from "./messages.ts"

export interface AcceptorState {
  readonly role: "acceptor"
  readonly promised: Ballot
  readonly accepted: Vote | null
}

type AcceptorStep = Step<AcceptorState, PaxosMessage, never, never>

export const initialAcceptor: AcceptorState = { role: "acceptor", promised: 0, accepted: null }

export const acceptorOnMessage = (config: PaxosConfig, s: AcceptorState, from: NodeId, m: PaxosMessage): AcceptorStep => {
  switch (m._tag) {
    case "Prepare":
      // Phase 1b. A Prepare at or below the promise is ignored; the proposer's new-ballot timer retries higher.
      if (m.ballot <= s.promised) return step(s)
      return step({ ...s, promised: m.ballot }, [send(from, { _tag: "Promise", ballot: m.ballot, accepted: s.accepted })])
    case "Accept": {
      // Phase 2b. Accepting also promises the ballot, so no lower Accept is taken afterwards.
      if (m.ballot < s.promised) return step(s)
      const vote: Vote = { ballot: m.ballot, value: m.value }
      return step(
        { ...s, promised: m.ballot, accepted: vote },
        config.learners.map((learner) => send(learner, { _tag: "Accepted", ballot: m.ballot, value: m.value }))
      )
    }
    case "Promise":
    case "Accepted":
      return step(s)
  }
}

export const acceptorDurable = (s: AcceptorState): AcceptorDurable => ({ _tag: "Acceptor", promised: s.promised, accepted: s.accepted })

export const acceptorRecover = (bugs: PaxosBugs, d: AcceptorDurable): AcceptorStep =>
  step({
    role: "acceptor",
    // forget-promise: only the vote was written to disk, so the promise falls back to the vote's ballot.
    promised: bugs.forgetPromise ? (d.accepted?.ballot ?? 0) : d.promised,
    accepted: d.accepted
  })
