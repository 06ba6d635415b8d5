import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { acceptorOnMessage, acceptorRecover, initialAcceptor } from "../../src/paxos/acceptor.ts"
import { noBugs } from "../../src/bugs.ts"
import type { PaxosConfig } from "../../src/paxos/config.ts"
import { chosenValues } from "../../src/paxos/learner.ts"
import { PaxosDurable, PaxosMessage } from "../../src/paxos/messages.ts"
import { paxosActor } from "../../src/paxos/node.ts"
import { proposerInit, proposerOnMessage, proposerOnTimer } from "../../src/paxos/proposer.ts"
import type { ProposerState } from "../../src/paxos/proposer.ts"

const config: PaxosConfig = {
  proposers: ["p1", "p2"],
  acceptors: ["a1", "a2", "a3"],
  learners: ["l1"],
  inputs: { p1: "v1", p2: "v2" },
  bugs: noBugs
}

describe("acceptor", () => {
  it("promises a higher ballot, reporting its vote, and ignores a Prepare at or below its promise", () => {
    const voted = { role: "acceptor", promised: 2, accepted: { ballot: 2, value: "v2" } } as const
    expect(acceptorOnMessage(config, voted, "p1", { _tag: "Prepare", ballot: 3 })).toEqual({
      state: { ...voted, promised: 3 },
      out: [{ _tag: "Send", to: "p1", message: { _tag: "Promise", ballot: 3, accepted: { ballot: 2, value: "v2" } } }]
    })
    expect(acceptorOnMessage(config, voted, "p2", { _tag: "Prepare", ballot: 2 })).toEqual({ state: voted, out: [] })
  })

  it("votes in a ballot at or above its promise and tells every learner; refuses a lower ballot", () => {
    const promised = { ...initialAcceptor, promised: 2 }
    expect(acceptorOnMessage(config, promised, "p2", { _tag: "Accept", ballot: 2, value: "v2" })).toEqual({
      state: { role: "acceptor", promised: 2, accepted: { ballot: 2, value: "v2" } },
      out: [{ _tag: "Send", to: "l1", message: { _tag: "Accepted", ballot: 2, value: "v2" } }]
    })
    expect(acceptorOnMessage(config, promised, "p1", { _tag: "Accept", ballot: 1, value: "v1" })).toEqual({ state: promised, out: [] })
  })

  it("restarts with its promise; forget-promise restarts promised only to its vote's ballot", () => {
    const durable = { _tag: "Acceptor", promised: 2, accepted: { ballot: 1, value: "v1" } } as const
    expect(acceptorRecover(noBugs, durable).state).toEqual({ role: "acceptor", promised: 2, accepted: { ballot: 1, value: "v1" } })
    expect(acceptorRecover({ ...noBugs, forgetPromise: true }, durable).state.promised).toBe(1)
  })
})

describe("proposer", () => {
  const started = (self: string): ProposerState => proposerOnTimer(config, proposerInit(self).state).state

  it("owns every P-th ballot: p1 starts 1 then 3, p2 starts 2, each sending Prepare to every acceptor", () => {
    const p1 = proposerOnTimer(config, proposerInit("p1").state)
    expect(p1.state).toMatchObject({ ballot: 1, phase: "preparing" })
    expect(p1.out).toEqual([
      { _tag: "Send", to: "a1", message: { _tag: "Prepare", ballot: 1 } },
      { _tag: "Send", to: "a2", message: { _tag: "Prepare", ballot: 1 } },
      { _tag: "Send", to: "a3", message: { _tag: "Prepare", ballot: 1 } },
      { _tag: "SetTimer", timer: "new-ballot" }
    ])
    expect(proposerOnTimer(config, p1.state).state.ballot).toBe(3)
    expect(started("p2").ballot).toBe(2)
  })

  it("with a quorum of promises proposes the highest-ballot vote reported, to the acceptors that promised", () => {
    const one = proposerOnMessage(config, started("p2"), "a3", { _tag: "Promise", ballot: 2, accepted: null })
    expect(one.out).toEqual([])
    const two = proposerOnMessage(config, one.state, "a1", { _tag: "Promise", ballot: 2, accepted: { ballot: 1, value: "v1" } })
    expect(two.state).toMatchObject({ phase: "accepting", proposal: "v1", promisedBy: ["a1", "a3"] })
    expect(two.out).toEqual([
      { _tag: "Send", to: "a1", message: { _tag: "Accept", ballot: 2, value: "v1" } },
      { _tag: "Send", to: "a3", message: { _tag: "Accept", ballot: 2, value: "v1" } }
    ])
  })

  it("proposes its own value when no promise reports a vote; ignore-accepted always does", () => {
    const promise = (s: ProposerState, from: string, c = config) =>
      proposerOnMessage(c, s, from, { _tag: "Promise", ballot: 2, accepted: from === "a1" ? { ballot: 1, value: "v1" } : null }).state
    expect(promise(promise(started("p2"), "a2"), "a3").proposal).toBe("v2")
    const buggy = { ...config, bugs: { ...noBugs, ignoreAccepted: true } }
    expect(promise(promise(started("p2"), "a1", buggy), "a3", buggy).proposal).toBe("v2")
  })

  it("ignores a promise for another ballot and a second promise from one acceptor", () => {
    const s = started("p1")
    expect(proposerOnMessage(config, s, "a1", { _tag: "Promise", ballot: 3, accepted: null }).state).toBe(s)
    const once = proposerOnMessage(config, s, "a1", { _tag: "Promise", ballot: 1, accepted: null }).state
    expect(proposerOnMessage(config, once, "a1", { _tag: "Promise", ballot: 1, accepted: null }).state).toBe(once)
  })
})

describe("learner", () => {
  it("a value is chosen once a quorum voted for it in one ballot, not by votes spread over ballots", () => {
    const vote = (ballot: number, acceptor: string, value: string) => ({ ballot, acceptor, value })
    expect(chosenValues(config, [vote(1, "a1", "v1"), vote(2, "a2", "v2")])).toEqual([])
    expect(chosenValues(config, [vote(1, "a1", "v1"), vote(1, "a2", "v1"), vote(2, "a3", "v1")])).toEqual(["v1"])
  })

  it("the actor records each acceptor's vote once per ballot, in canonical order", () => {
    const actor = paxosActor(config)
    const l1 = actor.init({ self: "l1", nodes: [] }).state
    const a = actor.onMessage(l1, "a2", { _tag: "Accepted", ballot: 1, value: "v1" }).state
    const b = actor.onMessage(a, "a1", { _tag: "Accepted", ballot: 1, value: "v1" }).state
    expect(actor.onMessage(b, "a1", { _tag: "Accepted", ballot: 1, value: "v1" }).state).toEqual(b)
    expect(b).toEqual({ role: "learner", votes: [{ ballot: 1, value: "v1", acceptor: "a1" }, { ballot: 1, value: "v1", acceptor: "a2" }] })
  })
})

describe("schemas", () => {
  it("decode what a peer may send and what a disk holds, and reject what does not fit", () => {
    const promise = { _tag: "Promise", ballot: 2, accepted: { ballot: 1, value: "v1" } }
    expect(Schema.decodeUnknownSync(PaxosMessage)(promise)).toEqual(promise)
    expect(() => Schema.decodeUnknownSync(PaxosMessage)({ _tag: "Prepare", ballot: -1 })).toThrow()
    expect(() => Schema.decodeUnknownSync(PaxosMessage)({ _tag: "Accept", ballot: 1.5, value: "v1" })).toThrow()
    expect(Schema.decodeUnknownSync(PaxosDurable)({ _tag: "Acceptor", promised: 3, accepted: null })).toEqual({ _tag: "Acceptor", promised: 3, accepted: null })
    expect(() => Schema.decodeUnknownSync(PaxosDurable)({ _tag: "Acceptor", promised: 3 })).toThrow()
  })
})
