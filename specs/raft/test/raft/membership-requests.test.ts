/**
 * A hosted Raft node's membership requests, one reducer step each: a
 * follower names its leader; a leader starts a change only under the
 * reducer's rules and says why not otherwise (whether a retry may succeed);
 * a transfer starts to a member only; a node starts with its first
 * configuration named in its snapshot.
 */
import type { Output } from "@parley/core"
import { describe, expect, it } from "vitest"
import { appendToLog, emptyLog } from "../../src/raft/log.ts"
import { hostedRaftActor } from "../../src/raft/membership-api.ts"
import { formatHostedRaftRequest, formatHostedRaftResponse } from "../../src/raft/membership-requests.ts"
import type { HostedRaftResponse, MembershipChange } from "../../src/raft/membership-requests.ts"
import { emptySnapshot } from "../../src/raft/messages.ts"
import type { RaftMessage, RaftTimer } from "../../src/raft/messages.ts"
import { raftActor } from "../../src/raft/node.ts"
import { initialState, noBugs } from "../../src/raft/state.ts"
import type { RaftConfig, RaftState } from "../../src/raft/state.ts"

const config: RaftConfig = { nodes: ["n1", "n2", "n3"], preVote: true, checkQuorum: true, maxEntriesPerAppend: 8, membership: {}, bugs: noBugs }
const actor = hostedRaftActor(config, raftActor(config))

const caughtUp = { next: 2, match: 1, active: true }

/** n1 leading term 2 with its own term's entry committed, or not yet. */
const leader = (committedOwnTerm: boolean): RaftState => ({
  ...initialState("n1", 2, "n1", { ...emptySnapshot, members: config.nodes }, appendToLog(emptyLog, [{ term: 2, command: null }])),
  role: "leader",
  leader: "n1",
  commitIndex: committedOwnTerm ? 1 : 0,
  lastApplied: committedOwnTerm ? 1 : 0,
  progress: { n2: caughtUp, n3: caughtUp }
})

const ask = (s: RaftState, change: MembershipChange) => actor.onRequest(s, "admin", { seq: 1, change })

const answerOf = (out: ReadonlyArray<Output<RaftMessage, RaftTimer, HostedRaftResponse>>) =>
  out.flatMap((output) => (output._tag === "Reply" ? [output.response] : []))

describe("hosted membership requests", () => {
  it("a fresh node's snapshot names its first configuration", () => {
    expect(actor.init({ self: "n4", nodes: config.nodes }).state.snapshot.members).toEqual(config.nodes)
  })

  it("a follower redirects to the leader it knows", () => {
    const follower: RaftState = { ...leader(true), role: "follower", leader: "n2", progress: {} }
    expect(answerOf(ask(follower, { _tag: "AddNode", node: "n4" }).out)).toEqual([{ _tag: "Redirect", seq: 1, leader: "n2" }])
  })

  it("a leader adds a node: the configuration entry is appended and sent, and the answer names its index", () => {
    const added = ask(leader(true), { _tag: "AddNode", node: "n4" })
    expect(answerOf(added.out)).toEqual([{ _tag: "Done", seq: 1, output: { _tag: "ChangeStarted", index: 2, members: ["n1", "n2", "n3", "n4"] } }])
    expect(added.state.progress["n4"]).toBeDefined()
    expect(added.out.some((output) => output._tag === "Send" && output.to === "n2" && output.message._tag === "AppendEntries")).toBe(true)
    // The change is pending until it commits: a second one is refused, and may be asked again.
    expect(answerOf(ask(added.state, { _tag: "RemoveNode", node: "n2" }).out)).toEqual([
      { _tag: "Done", seq: 1, output: { _tag: "ChangeRefused", reason: "a membership change is in progress", retry: true } }
    ])
  })

  it("refuses what never can be, and what must wait for the leader's own entry", () => {
    const refusal = (s: RaftState, change: MembershipChange) => answerOf(ask(s, change).out)[0]
    expect(refusal(leader(true), { _tag: "AddNode", node: "n2" })).toMatchObject({ output: { reason: "n2 is a member already", retry: false } })
    expect(refusal(leader(true), { _tag: "RemoveNode", node: "n9" })).toMatchObject({ output: { reason: "n9 is not a member", retry: false } })
    expect(refusal(leader(false), { _tag: "AddNode", node: "n4" })).toMatchObject({
      output: { reason: "the leader has not committed an entry of its term yet", retry: true }
    })
    expect(refusal(leader(true), { _tag: "TransferLeadership", node: "n9" })).toMatchObject({ output: { reason: "n9 is not a member", retry: false } })
  })

  it("a transfer to a caught-up member sends it TimeoutNow at once", () => {
    const moved = ask(leader(true), { _tag: "TransferLeadership", node: "n3" })
    expect(answerOf(moved.out)).toEqual([{ _tag: "Done", seq: 1, output: { _tag: "TransferStarted", to: "n3", term: 2 } }])
    expect(moved.out).toContainEqual({ _tag: "Send", to: "n3", message: { _tag: "TimeoutNow", term: 2 } })
    expect(moved.state.transferTo).toBe("n3")
  })
})

describe("how membership requests and answers print in validate's traces", () => {
  it("prints a change and its answer by name, and the store's operations as the store does", () => {
    expect(formatHostedRaftRequest({ seq: 3, change: { _tag: "AddNode", node: "n4" } })).toBe("#3 AddNode(n4)")
    expect(formatHostedRaftRequest({ seq: 2, op: { _tag: "Put", key: "x", value: "1" } })).toBe("#2 Put(x=1)")
    expect(formatHostedRaftResponse({ _tag: "Done", seq: 3, output: { _tag: "ChangeStarted", index: 7, members: ["n1", "n4"] } }))
      .toBe("#3 ChangeStarted(n1,n4 at 7)")
    expect(formatHostedRaftResponse({ _tag: "Done", seq: 4, output: { _tag: "ChangeRefused", reason: "a change is pending", retry: true } }))
      .toBe("#4 ChangeRefused(a change is pending)")
    expect(formatHostedRaftResponse({ _tag: "Done", seq: 2, output: { _tag: "Written" } })).not.toContain("undefined")
  })
})
