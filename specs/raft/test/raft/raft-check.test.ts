import { expectCaught, expectHolds } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { raftSpec } from "../../src/index.ts"

/**
 * Figure 8 needs four terms: the entry's, a rival's, the term that commits it
 * by counting, and the rival's return. Dropping messages, at most two in
 * flight and logs of at most two entries keep that search to about a million
 * states.
 */
const figure8 = { variant: "commit-prior-term", clients: 0, "max-term": 4, lossy: true, "max-in-flight": 2, "max-log": 2 }

type Lane = { readonly role?: string; readonly term?: number; readonly down?: boolean }

const leadersOf = (lanes: Readonly<Record<string, unknown>>): ReadonlyArray<[string, number]> =>
  Object.entries(lanes as Record<string, Lane>).filter(([, lane]) => lane.role === "leader").map(([node, lane]) => [node, lane.term!])

describe("raft liveness, under weak fairness of deliveries and timers", () => {
  it.each([
    // overrides, distinct states
    [{ clients: 0 }, 4_265],
    [{ clients: 0, nodes: 2, "max-term": 2 }, 206],
    [{ clients: 0, nodes: 2, "max-term": 3 }, 797]
  ] as const)("with no crash and no loss a leader is eventually elected (%j), in all %i states", (overrides, states) => {
    expectHolds(raftSpec, overrides, { liveness: true, states })
  })
})

describe("raft, checked exhaustively: every property holds and every sometimes is reached", () => {
  it.each([
    [
      "the default check (3 nodes, one client's Put and Get with a retry, max term 1)",
      {},
      { states: 452_045, reached: ["LeaderElected", "WriteCommitted", "ClientsFinished"] }
    ],
    ["a node crashes and rejoins: a crash budget of one", { clients: 0, crashes: 1 }, { states: 54_277, reached: ["NodeRejoined"] }],
    ["two elections and a leader change with no client", { clients: 0, "max-term": 2 }, { states: 822_933 }],
    ["PreVote and CheckQuorum together with no client", { clients: 0, prevote: true, checkquorum: true }, { states: 345_798 }]
  ] as const)("%s: %j", (_, overrides, claim) => {
    expectHolds(raftSpec, overrides, claim)
  })
})

describe("raft's known bugs, each caught with the property it breaks", () => {
  it("forget-vote: a restarted voter forgot its vote and elects a second leader of term 1", () => {
    const { trace } = expectCaught(raftSpec, { variant: "forget-vote", clients: 0, crashes: 1 }, { property: "ElectionSafety", depth: 8 })
    const steps = trace().steps
    expect(steps.map((s) => s.event._tag)).toEqual(expect.arrayContaining(["Crash", "Restart"]))
    expect(leadersOf(steps.at(-1)!.lanes)).toEqual([["n1", 1], ["n3", 1]])
  })

  it("no-log-check: a voter elects a candidate that lacks a committed entry", () => {
    const { trace } = expectCaught(raftSpec, { variant: "no-log-check", clients: 0, "max-term": 2 }, { property: "LeaderCompleteness", depth: 9 })
    const last = trace().steps.at(-1)!.lanes as Record<string, { role?: string; term?: number; log?: ReadonlyArray<string>; commit?: number }>
    const [leader] = leadersOf(last).filter(([, term]) => term === 2)
    expect(leader).toBeDefined()
    expect(last[leader![0]]!.log).toEqual(["2/1 noop"])
    expect(Object.values(last).some((lane) => (lane.commit ?? 0) >= 1 && lane.log?.[0] === "1/1 noop")).toBe(true)
  })

  it("stale-read: a deposed leader answers a Get from its own store after a newer leader committed a Put", () => {
    const { trace } = expectCaught(raftSpec, { variant: "stale-read", "max-term": 2 }, { property: "Linearizable", depth: 15 })
    const steps = trace().steps
    const leaders = steps.flatMap((s) => leadersOf(s.lanes))
    expect(new Set(leaders.map(([, term]) => term))).toEqual(new Set([1, 2]))
  })

  it("commit-prior-term: a term-3 leader commits a term-1 entry by counting replicas; a term-4 leader overwrites it (Figure 8)", () => {
    const { trace } = expectCaught(raftSpec, figure8, { property: "LeaderCompleteness", depth: 28, states: 1_347_665 })
    const last = trace().steps.at(-1)!.lanes as Record<string, { role?: string; term?: number; log?: ReadonlyArray<string>; commit?: number }>
    const leader = leadersOf(last).find(([, term]) => term === 4)?.[0]
    expect(leader).toBeDefined()
    const committed = Object.values(last).find((lane) => lane.term === 3 && (lane.commit ?? 0) >= 1)
    expect(committed?.log?.[0]).toBe("1/1 noop")
    expect(last[leader!]!.log?.[0]).not.toBe("1/1 noop")
  })

  it("the correct reducer keeps LeaderCompleteness within the bounds that expose commit-prior-term", () => {
    expectHolds(raftSpec, { ...figure8, variant: "correct" }, { states: 2_725_958 })
  })
})
