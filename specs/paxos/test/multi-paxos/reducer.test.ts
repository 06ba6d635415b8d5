import { bucketsFlat } from "@parley/kv"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { noBugs } from "../../src/bugs.ts"
import { MultiPaxos } from "../../src/index.ts"

const config: MultiPaxos.MultiPaxosConfig = { nodes: ["n1", "n2", "n3"], bugs: noBugs }
const put = (client: string, seq: number, value: string): MultiPaxos.Command => ({ client, seq, op: { _tag: "Put", key: "x", value } })

describe("ballots", () => {
  it.each([
    // ballot, owner
    [1, "n1"], [2, "n2"], [3, "n3"], [4, "n1"], [6, "n3"]
  ] as const)("ballot %i belongs to %s", (ballot, owner) => {
    expect(MultiPaxos.ownerOf(config, ballot)).toBe(owner)
  })

  it.each([
    // node, above, next ballot
    ["n1", 0, 1], ["n1", 1, 4], ["n1", 3, 4], ["n2", 0, 2], ["n2", 2, 5], ["n2", 4, 5], ["n3", 5, 6], ["n3", 6, 9]
  ] as const)("%s's next ballot above %i is %i: always its own, always higher", (node, above, next) => {
    expect(MultiPaxos.nextBallotOf(config, node, above)).toBe(next)
  })
})

describe("acceptor", () => {
  const voted: MultiPaxos.AcceptorState = {
    promised: 2,
    accepted: [{ slot: 1, ballot: 1, command: put("c1", 1, "1") }, { slot: 3, ballot: 2, command: null }]
  }

  it("promises only a ballot above its promise", () => {
    expect(MultiPaxos.promise(voted, 2)).toBeUndefined()
    expect(MultiPaxos.promise(voted, 3)).toEqual({ ...voted, promised: 3 })
  })

  it("votes in a ballot at or above its promise, keeping one vote per slot in slot order; refuses a lower ballot", () => {
    expect(MultiPaxos.accept(voted, 1, 2, null)).toBeUndefined()
    expect(MultiPaxos.accept(voted, 4, 2, null)).toEqual({
      promised: 4,
      accepted: [voted.accepted[0], { slot: 2, ballot: 4, command: null }, voted.accepted[1]]
    })
    expect(MultiPaxos.accept(voted, 2, 1, put("c2", 1, "2"))?.accepted[0]).toEqual({ slot: 1, ballot: 2, command: put("c2", 1, "2") })
  })

  it("reports the votes from the Prepare's first slot on", () => {
    expect(MultiPaxos.votesFrom(voted, 1)).toBe(voted.accepted)
    expect(MultiPaxos.votesFrom(voted, 2)).toEqual([voted.accepted[1]])
  })

  it("restarts with its promise; forget-promise restarts promised only to its highest vote's ballot", () => {
    const durable = MultiPaxos.acceptorDurable({ ...voted, promised: 5, snapshot: MultiPaxos.emptySnapshot })
    expect(MultiPaxos.recoveredAcceptor(noBugs, durable)).toEqual({ ...voted, promised: 5 })
    expect(MultiPaxos.recoveredAcceptor({ ...noBugs, forgetPromise: true }, durable).promised).toBe(2)
    expect(MultiPaxos.recoveredAcceptor({ ...noBugs, forgetPromise: true }, { promised: 5, accepted: [], snapshot: MultiPaxos.emptySnapshot }).promised).toBe(0)
  })
})

describe("log", () => {
  const leader = (): MultiPaxos.MultiPaxosState => ({
    ...MultiPaxos.initialState("n1", { promised: 1, accepted: [] }, MultiPaxos.emptySnapshot),
    leadership: { role: "leading", ballot: 1, acceptors: ["n2", "n3"], proposals: [], reproposed: 0, peers: {} }
  })
  const learn = (s: MultiPaxos.MultiPaxosState, slot: number, command: MultiPaxos.SlotValue) => {
    const out: MultiPaxos.Outbox = []
    return { state: MultiPaxos.learn(config, s, slot, command, out), out }
  }
  /** What was applied, with the store and sessions as flat records. */
  const applied = (s: MultiPaxos.MultiPaxosState) => ({ applied: s.applied, store: bucketsFlat(s.store), sessions: bucketsFlat(s.sessions) })

  it("applies learned slots in order, only once every slot before them is learned", () => {
    const second = learn(leader(), 2, put("c2", 1, "2"))
    expect(applied(second.state)).toMatchObject({ applied: 0, store: {} })
    expect(second.out).toEqual([])
    const both = learn(second.state, 1, put("c1", 1, "1"))
    expect(applied(both.state)).toMatchObject({ applied: 2, store: { x: "2" } })
    expect(both.out.map((o) => o._tag === "Reply" && o.client)).toEqual(["c1", "c2"])
  })

  it("a retry chosen in a second slot takes no effect and is not answered again; a no-op only advances", () => {
    const first = learn(leader(), 1, put("c1", 1, "1")).state
    const overwritten = learn(first, 2, put("c2", 1, "2")).state
    const again = learn(overwritten, 3, put("c1", 1, "1"))
    expect(applied(again.state)).toMatchObject({ applied: 3, store: { x: "2" }, sessions: { c1: { seq: 1 }, c2: { seq: 1 } } })
    expect(again.out).toEqual([])
    expect(applied(learn(again.state, 4, null).state)).toMatchObject({ applied: 4, store: { x: "2" } })
  })

  it("learning a slot twice changes nothing", () => {
    const once = learn(leader(), 1, put("c1", 1, "1")).state
    expect(learn(once, 1, put("c1", 1, "1")).state).toBe(once)
  })
})

describe("a node that does not lead", () => {
  const actor = MultiPaxos.multiPaxosActor(config)
  const redirect = (s: MultiPaxos.MultiPaxosState) => actor.onRequest(s, "c1", { seq: 1, op: { _tag: "Get", key: "x" } }).out

  it("redirects to the owner of the ballot it promised, and names nobody before any promise or for its own lost ballot", () => {
    expect(redirect(MultiPaxos.initialState("n3", { promised: 2, accepted: [] }, MultiPaxos.emptySnapshot))).toEqual([
      { _tag: "Reply", client: "c1", response: { _tag: "Redirect", seq: 1, leader: "n2" } }
    ])
    expect(redirect(MultiPaxos.initialState("n3", { promised: 0, accepted: [] }, MultiPaxos.emptySnapshot))).toEqual([
      { _tag: "Reply", client: "c1", response: { _tag: "Redirect", seq: 1, leader: null } }
    ])
    expect(redirect(MultiPaxos.initialState("n2", { promised: 2, accepted: [] }, MultiPaxos.emptySnapshot))).toEqual([
      { _tag: "Reply", client: "c1", response: { _tag: "Redirect", seq: 1, leader: null } }
    ])
  })

  it("ignores Accepted it did not ask for", () => {
    const s = MultiPaxos.initialState("n1", { promised: 1, accepted: [] }, MultiPaxos.emptySnapshot)
    expect(actor.onMessage(s, "n2", { _tag: "Accepted", ballot: 1, slot: 1 })).toEqual({ state: s, out: [] })
  })
})

describe("schemas", () => {
  it("decode what a peer or client may send and what a disk holds, and reject what does not fit", () => {
    const promise = { _tag: "Promise", ballot: 2, votes: [{ slot: 1, ballot: 1, command: null }] }
    expect(Schema.decodeUnknownSync(MultiPaxos.MultiPaxosMessage)(promise)).toEqual(promise)
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosMessage)({ _tag: "Accept", ballot: 1, slot: 0, command: null })).toThrow()
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosMessage)({ _tag: "Prepare", ballot: -1, fromSlot: 1 })).toThrow()
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosMessage)({ _tag: "Accept", ballot: 1, slot: 1, command: { client: "c1", seq: 1, op: { _tag: "Put", key: "x" } } })).toThrow()
    expect(Schema.decodeUnknownSync(MultiPaxos.MultiPaxosRequest)({ seq: 1, op: { _tag: "Get", key: "x" } })).toEqual({ seq: 1, op: { _tag: "Get", key: "x" } })
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosRequest)({ seq: 0, op: { _tag: "Get", key: "x" } })).toThrow()
    expect(Schema.decodeUnknownSync(MultiPaxos.MultiPaxosDurable)({ promised: 3, accepted: [], snapshot: MultiPaxos.emptySnapshot })).toEqual({
      promised: 3,
      accepted: [],
      snapshot: MultiPaxos.emptySnapshot
    })
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosDurable)({ promised: 3 })).toThrow()
    expect(() => Schema.decodeUnknownSync(MultiPaxos.MultiPaxosTimer)("election")).toThrow()
  })
})
