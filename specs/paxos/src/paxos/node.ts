/**
 * The one actor every Paxos node runs, dispatching on the role the
 * configuration gives its id. One node plays one role here; a deployment
 * that co-locates a proposer, an acceptor and a learner runs three actors.
 */
import { SetOf, step } from "@parley/core"
import type { Actor } from "@parley/core"
import { acceptorDurable, acceptorOnMessage, acceptorRecover, initialAcceptor } from "./acceptor.ts"
import type { AcceptorState } from "./acceptor.ts"
import type { PaxosConfig } from "./config.ts"
import { initialLearner, learnerDurable, learnerOnMessage } from "./learner.ts"
import type { LearnerState } from "./learner.ts"
import type { PaxosDurable, PaxosMessage, PaxosRequest, PaxosResponse, PaxosTimer } from "./messages.ts"
import { proposerDurable, proposerInit, proposerOnMessage, proposerOnTimer, proposerRecover } from "./proposer.ts"
import type { ProposerState } from "./proposer.ts"

export type PaxosState = ProposerState | AcceptorState | LearnerState

export type PaxosActor = Actor<PaxosState, PaxosMessage, PaxosTimer, PaxosRequest, PaxosResponse, PaxosDurable>

export const paxosActor = (config: PaxosConfig): PaxosActor => ({
  init: (ctx) => {
    if (config.proposers.includes(ctx.self)) return proposerInit(ctx.self)
    if (config.acceptors.includes(ctx.self)) return step(initialAcceptor)
    if (config.learners.includes(ctx.self)) return step(initialLearner)
    throw new RangeError(`paxos node ${ctx.self} has no role: it is neither a proposer, an acceptor nor a learner`)
  },
  onMessage: (s, from, m) => {
    switch (s.role) {
      case "proposer":
        return proposerOnMessage(config, s, from, m)
      case "acceptor":
        return acceptorOnMessage(config, s, from, m)
      case "learner":
        return learnerOnMessage(s, from, m)
    }
  },
  onTimer: (s) => (s.role === "proposer" ? proposerOnTimer(config, s) : step(s)),
  // Single-decree Paxos has no client API.
  onRequest: (s) => step(s),
  durable: (s) => {
    switch (s.role) {
      case "proposer":
        return proposerDurable(s)
      case "acceptor":
        return acceptorDurable(s)
      case "learner":
        return learnerDurable(s)
    }
  },
  recover: (ctx, d) => {
    switch (d._tag) {
      case "Proposer":
        return proposerRecover(ctx.self, d)
      case "Acceptor":
        return acceptorRecover(config.bugs, d)
      case "Learner":
        return step({ role: "learner", votes: SetOf.from(d.votes) })
    }
  }
})
