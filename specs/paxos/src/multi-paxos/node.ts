/**
 * One Multi-Paxos node as a pure reducer, the same for the model checker
 * and a runtime: every node is acceptor, proposer and learner at once, as
 * deployments co-locate them. The acceptor rules are here; the leader's are
 * in leader.ts, the log's in log.ts.
 */
import { send, setTimer, step, withFingerprintMemo } from "@parley/core"
import type { Actor, NodeId, Step } from "@parley/core"
import { accept, acceptorDurable, promise, recoveredAcceptor, votesFrom } from "./acceptor.ts"
import type { MultiPaxosConfig } from "./config.ts"
import { onCommit, onLearn, stepDownBelow } from "./follower.ts"
import { campaign, countAccepted, heartbeat, knownLeader, onClientRequest, onProgress, onPromise } from "./leader.ts"
import type { MultiPaxosDurable, MultiPaxosMessage, MultiPaxosRequest, MultiPaxosResponse, MultiPaxosTimer } from "./messages.ts"
import { emptySnapshot, initialState } from "./state.ts"
import type { MultiPaxosState, Outbox } from "./state.ts"

export type MultiPaxosActor = Actor<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, MultiPaxosRequest, MultiPaxosResponse, MultiPaxosDurable>
type MultiPaxosStep = Step<MultiPaxosState, MultiPaxosMessage, MultiPaxosTimer, MultiPaxosResponse>

const onMessage = (config: MultiPaxosConfig, s: MultiPaxosState, from: NodeId, m: MultiPaxosMessage, out: Outbox): MultiPaxosState => {
  switch (m._tag) {
    case "Prepare": {
      // Phase 1b. A Prepare at or below the promise is ignored; its leader's campaign timer tries a higher ballot.
      const promised = promise(s, m.ballot)
      if (promised === undefined) return s
      out.push(send(from, { _tag: "Promise", ballot: m.ballot, votes: votesFrom(promised, m.fromSlot) }))
      return stepDownBelow(promised)
    }
    case "Promise":
      return onPromise(config, s, from, m.ballot, m.votes, out)
    case "Accept": {
      // Phase 2b: the vote goes to the ballot's leader, the one learner that needs it to answer clients.
      const voted = accept(s, m.ballot, m.slot, m.command)
      if (voted === undefined) return s
      out.push(send(from, { _tag: "Accepted", ballot: m.ballot, slot: m.slot }))
      return stepDownBelow(voted)
    }
    case "Accepted":
      return countAccepted(config, s, m.ballot, m.slot, from, out)
    case "Commit":
      return onCommit(config, s, from, m.ballot, m.chosen, m.compacted, out)
    case "Progress":
      return onProgress(config, s, from, m.ballot, m.applied, m.saved, out)
    case "Learn":
      return onLearn(config, s, from, m.ballot, m.snapshot, m.entries, out)
  }
}

/**
 * Runs a handler and returns its state and messages frozen with a
 * fingerprint slot (`withFingerprintMemo`): a node state or a message in
 * flight is shared by every system state until a step changes or delivers
 * it, and the checker then hashes it once for all of them. The reducer is
 * no different for it; freezing only forbids what it never does.
 */
const handled = (config: MultiPaxosConfig, handle: (out: Outbox) => MultiPaxosState): MultiPaxosStep => {
  const out: Outbox = []
  const state = withLeaderNoted(config, handle(out))
  for (const output of out) {
    if (output._tag === "Send") withFingerprintMemo(output.message)
    else if (output._tag === "Reply") withFingerprintMemo(output.response)
  }
  return step(withFingerprintMemo(state), out)
}

/** The state with `leader` as its leadership and promise say; a function of them, so it adds no state to a search. */
const withLeaderNoted = (config: MultiPaxosConfig, s: MultiPaxosState): MultiPaxosState => {
  const leader = s.leadership.role === "leading" ? s.self : knownLeader(config, s)
  return leader === s.leader ? s : { ...s, leader }
}

export const multiPaxosActor = (config: MultiPaxosConfig): MultiPaxosActor => ({
  init: (ctx) => step(initialState(ctx.self, { promised: 0, accepted: [] }, emptySnapshot), [setTimer("campaign")]),
  onMessage: (s, from, m) => handled(config, (out) => onMessage(config, s, from, m, out)),
  onTimer: (s, timer) => handled(config, (out) => (timer === "campaign" ? campaign(config, s, out) : heartbeat(config, s, out))),
  onRequest: (s, client, request) => handled(config, (out) => onClientRequest(config, s, client, request, out)),
  durable: acceptorDurable,
  // The log is not durable: a restarted node resumes from its snapshot and learns the slots after it from the leader.
  recover: (ctx, d) => step(withLeaderNoted(config, initialState(ctx.self, recoveredAcceptor(config.bugs, d), d.snapshot)), [setTimer("campaign")])
})
