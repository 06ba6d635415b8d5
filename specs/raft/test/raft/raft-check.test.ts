import type { ConfigValue } from "@parley/core"
import { explore as exploreSpec } from "@parley/checker/testing"
import { describe, expect, it } from "vitest"
import { raftSpec } from "../../src/index.ts"

const explore = (overrides: Readonly<Record<string, ConfigValue>>, liveness = false) => exploreSpec(raftSpec, overrides, { liveness })

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
    [{ clients: 0 }],
    [{ clients: 0, nodes: 2, "max-term": 2 }],
    [{ clients: 0, nodes: 2, "max-term": 3 }]
  ])("with no crash and no loss a leader is eventually elected (%o)", (overrides) => {
    const { result } = explore(overrides, true)
    expect(result.violation).toBeUndefined()
    expect(result.result).toBe("ok")
    expect(result.livenessUnchecked).toEqual([])
  })
})

describe("raft, checked exhaustively", () => {
  it("the default check (3 nodes, one client's Put and Get with a retry, max term 1) holds every property and reaches every sometimes", () => {
    const { result } = explore({})
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toEqual(expect.arrayContaining(["LeaderElected", "WriteCommitted", "ClientsFinished"]))
    expect(result.distinctStates).toBe(452_045)
  })

  it("a node crashes and rejoins: a crash budget of one", () => {
    const { result } = explore({ clients: 0, crashes: 1 })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.reached.map((r) => r.property)).toContain("NodeRejoined")
    expect(result.distinctStates).toBe(51_763)
  })

  it("two elections and a leader change with no client keep every property", () => {
    const { result } = explore({ clients: 0, "max-term": 2 })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(822_933)
  })

  it("PreVote and CheckQuorum together keep every property with no client, exhaustively", () => {
    const { result } = explore({ clients: 0, prevote: true, checkquorum: true })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
    expect(result.distinctStates).toBe(345_798)
  })
})

describe("raft's known bugs, each caught with the property it breaks", () => {
  it("forget-vote: a restarted voter forgot its vote and elects a second leader of term 1", () => {
    const { result, trace } = explore({ variant: "forget-vote", clients: 0, crashes: 1 })
    expect(result.violation).toMatchObject({ property: "ElectionSafety", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(8)
    const steps = trace().steps
    expect(steps.map((s) => s.event._tag)).toEqual(expect.arrayContaining(["Crash", "Restart"]))
    expect(leadersOf(steps.at(-1)!.lanes)).toEqual([["n1", 1], ["n3", 1]])
  })

  it("no-log-check: a voter elects a candidate that lacks a committed entry", () => {
    const { result, trace } = explore({ variant: "no-log-check", clients: 0, "max-term": 2 })
    expect(result.violation).toMatchObject({ property: "LeaderCompleteness", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(9)
    const last = trace().steps.at(-1)!.lanes as Record<string, { role?: string; term?: number; log?: ReadonlyArray<string>; commit?: number }>
    const [leader] = leadersOf(last).filter(([, term]) => term === 2)
    expect(leader).toBeDefined()
    expect(last[leader![0]]!.log).toEqual(["2/1 noop"])
    expect(Object.values(last).some((lane) => (lane.commit ?? 0) >= 1 && lane.log?.[0] === "1/1 noop")).toBe(true)
  })

  it("stale-read: a deposed leader answers a Get from its own store after a newer leader committed a Put", () => {
    const { result, trace } = explore({ variant: "stale-read", "max-term": 2 })
    expect(result.violation).toMatchObject({ property: "Linearizable", kind: "always" })
    expect(result.violation!.path.actionIndices).toHaveLength(15)
    const steps = trace().steps
    const leaders = steps.flatMap((s) => leadersOf(s.lanes))
    expect(new Set(leaders.map(([, term]) => term))).toEqual(new Set([1, 2]))
  })

  it("commit-prior-term: a term-3 leader commits a term-1 entry by counting replicas; a term-4 leader overwrites it (Figure 8)", () => {
    const { result, trace } = explore(figure8)
    expect(result.violation).toMatchObject({ property: "LeaderCompleteness", kind: "always" })
    const last = trace().steps.at(-1)!.lanes as Record<string, { role?: string; term?: number; log?: ReadonlyArray<string>; commit?: number }>
    const leader = leadersOf(last).find(([, term]) => term === 4)?.[0]
    expect(leader).toBeDefined()
    const committed = Object.values(last).find((lane) => lane.term === 3 && (lane.commit ?? 0) >= 1)
    expect(committed?.log?.[0]).toBe("1/1 noop")
    expect(last[leader!]!.log?.[0]).not.toBe("1/1 noop")
  })

  it("the correct reducer keeps LeaderCompleteness within the bounds that expose commit-prior-term", () => {
    const { result } = explore({ ...figure8, variant: "correct" })
    expect(result.result).toBe("ok")
  })
})
