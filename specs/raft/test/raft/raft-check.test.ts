import { check, replay, systemModel } from "@parley/checker"
import { expectCaught, expectHolds } from "@parley/checker/testing"
import { configOf, defaultConfig } from "@parley/core"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { raftSpec } from "../../src/index.ts"

/**
 * The checks of `raft` as `parley check raft` runs them, on one thread, so a
 * counterexample and the states counted are the same on every run. The
 * default check has two terms, a crash and restart, and a client's Put and
 * Get across the leader change; every property is falsifiable in it.
 */

/** The defaults before the default check took two terms and a crash: max term 1, no crash, unbounded in-flight, one retry. */
const oneTerm = { retries: 1, "max-term": 1, crashes: 0, "max-in-flight": 0 }

/** The default check and the correct Figure 8 bounds take millions of states: minutes on a shared machine. */
const LONG = 1_800_000

/**
 * Figure 8's overwrite needs four terms: the entry's, a rival's, the term that
 * commits it by counting, and the rival's return. Dropping messages and at
 * most two in flight keep that search to about two million states.
 */
const figure8 = { ...oneTerm, variant: "commit-prior-term", clients: 0, "max-term": 4, lossy: true, "max-in-flight": 2 }

/** ElectableCompleteness sees Figure 8 a term sooner, once the rival could still win: three terms, no client, no crash. */
const figure8ThreeTerms = { variant: "commit-prior-term", clients: 0, "max-term": 3, crashes: 0 }

/**
 * The runtime profile (PreVote, CheckQuorum, two entries an append, loss)
 * with three terms, cut elsewhere so that BFS reaches Figure 8: one client,
 * whose Put is the term-1 entry sent alone (the leader's own noop would
 * otherwise go with it), no crash, and only n1 and n2 campaigning.
 */
const runtimeFigure8 = { profile: "runtime", variant: "commit-prior-term", "max-term": 3, clients: 1, crashes: 0, campaigners: 2 }

type Lane = { readonly role?: string; readonly term?: number; readonly log?: ReadonlyArray<string>; readonly commit?: number }

const leadersOf = (lanes: Readonly<Record<string, unknown>>): ReadonlyArray<[string, number]> =>
  Object.entries(lanes as Record<string, Lane>).filter(([, lane]) => lane.role === "leader").map(([node, lane]) => [node, lane.term!])

/** The system without the properties (state or step) named. */
const settingAside = (names: ReadonlyArray<string>) => (system: AnySystemSpec): AnySystemSpec => ({
  ...system,
  properties: system.properties.filter((p) => !names.includes(p.name)),
  transitions: (system.transitions ?? []).filter((p) => !names.includes(p.name))
})

describe("raft's default check: two terms, a crash of n1 and its restart, a client's Put and Get", () => {
  it("holds exhaustively and reaches every sometimes, a Get answered by a second leader among them", () => {
    expectHolds(raftSpec, {}, {
      states: 1_455_576,
      reached: ["LeaderElected", "LaterLeaderElected", "WriteCommitted", "ClientsFinished", "AnsweredByTwoLeaders", "NodeRejoined", "ReadAnsweredByIndex"],
      reachedOnly: true
    })
  }, LONG)
})

describe("every property of raft is falsifiable with the default options", () => {
  it.each([
    // variant, the property it breaks first, the shortest counterexample's steps
    ["forget-vote", "ElectionSafety", 13],
    ["no-log-check", "LeaderCompleteness", 12],
    ["duplicate-append", "LogMatching", 12],
    ["stale-read", "Linearizable", 20],
    ["replay-uncommitted", "AppliedEntriesStay", 13]
  ] as const)("%s breaks %s in %i steps", (variant, property, depth) => {
    expectCaught(raftSpec, { variant }, { property, depth })
  })

  it("forget-vote: a restarted voter forgot its vote and elects a second leader of term 1; the first may since have stepped down", () => {
    const { trace } = expectCaught(raftSpec, { variant: "forget-vote" }, { property: "ElectionSafety", depth: 13 })
    const steps = trace().steps
    expect(steps.map((s) => s.event)).toEqual(expect.arrayContaining([{ _tag: "Crash", node: "n1" }, { _tag: "Restart", node: "n1" }]))
    const termOneLeaders = new Set(steps.flatMap((s) => leadersOf(s.lanes)).filter(([, term]) => term === 1).map(([node]) => node))
    expect(termOneLeaders.size).toBe(2)
  })

  it("no-log-check: with LeaderCompleteness set aside, ElectableCompleteness sees the elected leader that lacks a committed entry", () => {
    expectCaught(raftSpec, { variant: "no-log-check" }, { property: "ElectableCompleteness", depth: 12, adjust: settingAside(["LeaderCompleteness"]) })
  })

  it("replay-uncommitted: with the leader's and the node's own checks set aside, the history of applied entries catches it", () => {
    // The node that replayed its log crashed or was overwritten: only what it applied, remembered, shows two entries at one index.
    const { trace } = expectCaught(raftSpec, { variant: "replay-uncommitted" }, {
      property: "StateMachineSafety",
      depth: 14,
      adjust: settingAside(["LeaderCompleteness", "AppliedEntriesStay"])
    })
    expect(trace().steps.map((s) => s.event._tag)).toEqual(expect.arrayContaining(["Crash", "Restart"]))
  })
})

describe("raft with --symmetry: n2 and n3 interchangeable in the default check", () => {
  it.each([
    ["forget-vote", "ElectionSafety"],
    ["no-log-check", "LeaderCompleteness"],
    ["duplicate-append", "LogMatching"],
    ["replay-uncommitted", "AppliedEntriesStay"]
  ] as const)("still catches %s with %s, and the counterexample replays to a state that breaks it", (variant, property) => {
    const built = raftSpec.buildWith({}, variant)
    if (built._tag !== "System") throw new Error("raft builds an actor system")
    expect(built.system.symmetric).toEqual(["n2", "n3"])
    const model = systemModel(built.system)
    const { violation } = check(model, { strategy: "bfs", symmetry: true })
    expect(violation?.property).toBe(property)
    const { initial, steps } = replay(model, violation!.path)
    const last = steps.at(-1)!.state
    const before = steps.at(-2)?.state ?? initial
    const invariant = model.properties.find((p) => p.name === property)
    const transition = model.transitions?.find((p) => p.name === property)
    expect(invariant === undefined ? transition!.holds(before, last) : invariant.holds(last)).toBe(false)
  })
})

describe("raft liveness, under weak fairness of deliveries and timers", () => {
  it.each([
    // overrides, distinct states
    [{ ...oneTerm, clients: 0 }, 4_265],
    [{ ...oneTerm, clients: 0, nodes: 2, "max-term": 2 }, 206],
    [{ ...oneTerm, clients: 0, nodes: 2, "max-term": 3 }, 812]
  ] as const)("with no crash and no loss a leader is eventually elected (%j), in all %i states", (overrides, states) => {
    expectHolds(raftSpec, overrides, { liveness: true, states })
  })
})

describe("raft in other configurations, checked exhaustively", () => {
  it.each([
    ["a crash of any node with no client, one term", { ...oneTerm, clients: 0, crashes: 1, crashable: 3 }, { states: 54_277, reached: ["NodeRejoined"] }],
    ["PreVote and CheckQuorum together with no client, one term", { ...oneTerm, clients: 0, prevote: true, checkquorum: true }, { states: 345_798 }]
  ] as const)("%s: %j", (_, overrides, claim) => {
    expectHolds(raftSpec, overrides, claim)
  })
})

describe("raft's runtime profile: PreVote, CheckQuorum, batched and pipelined appends, loss, a crash, two clients", () => {
  it("builds the cluster the runtime runs, and its first 100,000 states hold every property", () => {
    const built = raftSpec.buildWith({ profile: "runtime" })
    if (built._tag !== "System") throw new Error("raft builds an actor system")
    const { system } = built
    expect({ lossy: system.lossy, maxCrashes: system.maxCrashes, crashable: system.crashable, clients: system.clients.length }).toEqual({
      lossy: true,
      maxCrashes: 1,
      crashable: ["n1"],
      clients: 2
    })
    // The whole search takes millions of states (README); a bounded one shows that what it explores first is sound.
    const result = check(systemModel(system), { strategy: "bfs", maxStates: 100_000 })
    expect(result.violation).toBeUndefined()
    expect(result.result).toBe("bounded")
  })

  it("sets the defaults of the options it covers; an option given explicitly wins, whatever its value", () => {
    expect(configOf(raftSpec, { profile: "runtime" })).toEqual({
      ...defaultConfig(raftSpec),
      profile: "runtime",
      clients: 2,
      requests: 1,
      retries: 0,
      "max-term": 1,
      crashes: 1,
      crashable: 1,
      "max-in-flight": 2,
      "max-log": 0,
      lossy: true,
      prevote: true,
      checkquorum: true
    })
    expect(configOf(raftSpec, {})).toEqual(defaultConfig(raftSpec))
    // 2 is --max-term's declared default: given, it still replaces the profile's first term.
    expect(configOf(raftSpec, { profile: "runtime", "max-term": 2, clients: 1 })).toMatchObject({ "max-term": 2, clients: 1, prevote: true, lossy: true })
    expect(raftSpec.resolve({ profile: "runtime", maxTerm: 2 })).toMatchObject({ maxTerm: 2, clients: 2 })
  })
})

describe("commit-prior-term (Figure 8): a commit by counting, seen once a node without the entry could win", () => {
  it("a term-3 leader commits a term-1 entry by counting; the term-2 leader, lacking it, could still be elected", () => {
    const { trace } = expectCaught(raftSpec, figure8ThreeTerms, { property: "ElectableCompleteness", depth: 23, states: 87_003 })
    const last = trace().steps.at(-1)!.lanes as Record<string, Lane>
    const [leader] = leadersOf(last).find(([, term]) => term === 3)!
    expect(last[leader]!.commit).toBeGreaterThanOrEqual(1)
    expect(last[leader]!.log?.[0]).toBe("1/1 noop")
    // The rival holds the term-2 leader's noop where the committed entry is, a later last term than the entry's holders but the leader.
    const rival = Object.values(last).find((lane) => lane.log?.[0] === "2/1 noop")
    expect(rival).toBeDefined()
  })

  it("the correct reducer keeps every property within the same bounds, ElectableCompleteness among them", () => {
    expectHolds(raftSpec, { ...figure8ThreeTerms, variant: "correct" }, { states: 342_865 })
  }, LONG)

  it("under the runtime profile with three terms: PreVote rounds, and the term-1 entries sent two at once", () => {
    const { trace } = expectCaught(raftSpec, runtimeFigure8, { property: "ElectableCompleteness", depth: 32, states: 1_618_944 })
    const steps = trace().steps
    expect(steps.filter((s) => s.event._tag === "Drop").length).toBeGreaterThan(0)
    const delivered = steps.flatMap((s) => (s.event._tag === "Deliver" && "message" in s.event ? [s.event.message] : []))
    expect(delivered.some((m) => m.startsWith("MsgPreVote "))).toBe(true)
    expect(delivered.some((m) => m.includes("Entries:[1/1 noop, 1/2 c1#1 Put(x=1)]"))).toBe(true)
    const last = steps.at(-1)!.lanes as Record<string, Lane>
    const [leader] = leadersOf(last).find(([, term]) => term === 3)!
    expect(last[leader]!.commit).toBe(2)
  }, LONG)

  it("with ElectableCompleteness set aside, a term-4 leader without the entry overwrites it: four terms", () => {
    const { trace } = expectCaught(raftSpec, figure8, {
      property: "LeaderCompleteness",
      depth: 28,
      states: 1_960_674,
      adjust: settingAside(["ElectableCompleteness"])
    })
    const last = trace().steps.at(-1)!.lanes as Record<string, Lane>
    const leader = leadersOf(last).find(([, term]) => term === 4)?.[0]
    expect(leader).toBeDefined()
    const committed = Object.values(last).find((lane) => lane.term === 3 && (lane.commit ?? 0) >= 1)
    expect(committed?.log?.[0]).toBe("1/1 noop")
    expect(last[leader!]!.log?.[0]).not.toBe("1/1 noop")
  }, LONG)

  it("the correct reducer keeps LeaderCompleteness and ElectableCompleteness within the four terms' bounds", () => {
    expectHolds(raftSpec, { ...figure8, variant: "correct" }, { states: 5_340_302 })
  }, LONG)
})

/**
 * Snapshots in the model: one every applied entry, so the leader's noop is
 * compacted once the client's Put applies (the Get takes no entry). One
 * term is enough for a follower to fall behind the leader's log: n1,
 * crashed before it heard anything, restarts and can only be caught up by
 * InstallSnapshot.
 */
const snapshots = { "snapshot-every": 1, "max-term": 1 }

describe("raft with snapshots: compaction, InstallSnapshot, restart from snapshot and tail", () => {
  it.each([
    ["links FIFO, as TCP's", snapshots, 55_919],
    ["links unordered", { ...snapshots, network: "unordered" }, 217_804]
  ] as const)("every property holds with %s, and a follower installs a snapshot", (_, overrides, states) => {
    expectHolds(raftSpec, overrides, {
      states,
      reached: ["LeaderElected", "WriteCommitted", "ClientsFinished", "NodeRejoined", "SnapshotInstalled", "ReadAnsweredByIndex"],
      reachedOnly: true
    })
  })

  it("stale-snapshot: a duplicate InstallSnapshot overtaken by AppendEntries wipes entries the follower applied", () => {
    const { trace } = expectCaught(raftSpec, { ...snapshots, network: "unordered", variant: "stale-snapshot" }, { property: "AppliedEntriesStay", depth: 15 })
    const steps = trace().steps
    const last = steps.at(-1)!
    expect(last.event).toMatchObject({ _tag: "Deliver", message: expect.stringMatching(/^MsgSnap /) })
    const lanes = last.lanes as Record<string, Lane & { readonly snapshot?: string; readonly applied?: number }>
    const follower = Object.values(lanes).find((lane) => lane.snapshot !== undefined && lane.role === "follower")
    expect(follower?.log).toEqual([])
  })

  it("the FIFO links of the default network never deliver a snapshot that stale: stale-snapshot passes there", () => {
    expectHolds(raftSpec, { ...snapshots, variant: "stale-snapshot" }, { states: 55_919 })
  })
})

/**
 * Lease reads need CheckQuorum; with PreVote two followers that both timed
 * out elect one of them within two terms. The client retries once, so its
 * Get can reach a leader other than the one that answered its Put; no
 * crash, at most three messages in flight and three rounds a leader keep
 * the search to two and a half million states. The boundary is the lease's
 * clock assumption (lease-clock.ts).
 */
const leases = { "lease-reads": true, checkquorum: true, prevote: true, crashes: 0, retries: 1, "max-in-flight": 3 }

describe("raft with lease reads, the clock assumption as the boundary", () => {
  it("holds exhaustively, and answers a Get under the lease and one by ReadIndex", () => {
    expectHolds(raftSpec, leases, {
      states: 2_502_249,
      reached: ["LeaderElected", "LaterLeaderElected", "WriteCommitted", "ClientsFinished", "AnsweredByTwoLeaders", "ReadAnsweredByIndex", "ReadAnsweredByLease"],
      reachedOnly: true
    })
  }, LONG)

  it("lease-past-expiry: after its lease timer fired, a leader of term 1 answers a Get the leader of term 2 has a write for", () => {
    const { trace } = expectCaught(raftSpec, { ...leases, variant: "lease-past-expiry" }, { property: "Linearizable", depth: 39 })
    const steps = trace().steps
    const expired = steps.find((s) => s.event._tag === "Timer" && "timer" in s.event && s.event.timer === "lease")
    expect(expired).toBeDefined()
    const last = steps.at(-1)!
    expect(last.event).toMatchObject({ _tag: "Deliver", message: "#2 Value(absent)" })
    const answeredBy = "from" in last.event ? last.event.from : undefined
    const leaders = leadersOf(last.lanes)
    expect(leaders).toContainEqual([answeredBy, 1])
    expect(leaders.some(([, term]) => term === 2)).toBe(true)
  }, LONG)

  it("is refused without CheckQuorum, on which a lease stands", () => {
    expect(() => raftSpec.buildWith({ leaseReads: true })).toThrow(/--lease-reads needs --checkquorum/)
  })
})
