import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { fencedRecipe, LockRequest, lockHosted, lockSpec, leaseActor, ticksOf } from "../../src/index.ts"
import type { LeaseConfig, LeaseNodeState, LockRequest as Request, LockResponse } from "../../src/index.ts"

const config: LeaseConfig = { clients: [], ttl: 1, bugs: fencedRecipe, tickMs: 100 }
const actor = leaseActor(config)
const nodes = ["redis", "resource"]
const server = actor.init({ self: "redis", nodes }).state
const resource = actor.init({ self: "resource", nodes }).state

/** Runs requests in order, each from its client; the state after them and every answer. */
const run = (start: LeaseNodeState, requests: ReadonlyArray<readonly [string, Request]>) =>
  requests.reduce(
    (acc, [client, request]) => {
      const next = actor.onRequest(acc.state, client, request)
      const answers = next.out.flatMap((o) => (o._tag === "Reply" ? [o.response] : []))
      return { state: next.state, answers: [...acc.answers, ...answers] }
    },
    { state: start, answers: [] as Array<LockResponse> }
  )

const acquire = (seq: number, name: string, owner: string, ttlMs = 1000): Request => ({ _tag: "Acquire", seq, name, owner, ttlMs })
const tokens = (answers: ReadonlyArray<LockResponse>) => answers.map((a) => (a._tag === "LockAnswer" ? a.lease?.token ?? null : null))

describe("the hosted lock server", () => {
  it("keeps locks of different names apart, with tokens from one counter", () => {
    const { answers } = run(server, [["a", acquire(1, "x", "a")], ["b", acquire(1, "y", "b")], ["c", acquire(1, "x", "c")]])
    expect(answers.map((a) => a._tag === "LockAnswer" && a.ok)).toEqual([true, true, false])
    expect(tokens(answers)).toEqual([1, 2, 1])
  })

  it("gives an owner that asks again its own lease back: a retried acquire takes effect once", () => {
    const { state, answers } = run(server, [["a", acquire(1, "x", "a")], ["a", acquire(2, "x", "a")]])
    expect(tokens(answers)).toEqual([1, 1])
    expect(state).toMatchObject({ grants: 1 })
  })

  it("turns a ttl in milliseconds into ticks, rounded up and one more, and reports it back in milliseconds", () => {
    expect(ticksOf(1000, 100)).toBe(11)
    expect(ticksOf(150, 100)).toBe(3)
    const { answers } = run(server, [["a", acquire(1, "x", "a", 1000)]])
    expect(answers[0]).toMatchObject({ lease: { ttlMs: 1000, expiresInMs: 1100 } })
  })

  it("answers a resource request with the node that takes it, and the resource a lock request likewise", () => {
    expect(run(server, [["a", { _tag: "Read", seq: 4, name: "x" }]]).answers).toEqual([{ _tag: "Elsewhere", seq: 4, node: "resource" }])
    expect(run(resource, [["a", acquire(5, "x", "a")]]).answers).toEqual([{ _tag: "Elsewhere", seq: 5, node: "redis" }])
  })

  it("recovers with its grants and its held leases, each given its full ttl again: no token twice, no lease forgotten", () => {
    const { state } = run(server, [["a", acquire(1, "x", "a", 1000)], ["b", acquire(1, "y", "b", 1000)], ["b", { _tag: "Release", seq: 2, name: "y", token: 2 }]])
    const ticked = actor.onTimer(actor.onTimer(state, "tick").state, "tick").state
    const recovered = actor.recover({ self: "redis", nodes }, Schema.decodeUnknownSync(lockHosted.durable)(actor.durable(ticked)))
    expect(recovered.out).toEqual([{ _tag: "SetTimer", timer: "tick" }])
    const { answers } = run(recovered.state, [["c", acquire(1, "x", "c")], ["c", acquire(2, "z", "c")]])
    expect(answers[0]).toMatchObject({ ok: false, lease: { holder: "a", token: 1, expiresInMs: 1100 } })
    expect(tokens(answers)).toEqual([1, 3])
  })

  it("keeps its durable state unchanged by a tick, so a tick costs no write", () => {
    const { state } = run(server, [["a", acquire(1, "x", "a")]])
    const before = actor.durable(state)
    const after = actor.durable(actor.onTimer(state, "tick").state)
    expect(after).toEqual(before)
    expect(after !== null && before !== null && "leases" in after && "leases" in before && after.leases === before.leases).toBe(true)
  })
})

describe("the hosted resource", () => {
  const write = (seq: number, name: string, token: number, value: string): Request => ({ _tag: "Write", seq, name, writer: "", token, value })

  it("fences each name by its own newest token, and names the client as writer when the request names none", () => {
    const { answers } = run(resource, [["w", write(1, "x", 5, "new")], ["w", write(2, "y", 1, "other")], ["w", write(3, "x", 4, "old")]])
    expect(answers.map((a) => (a._tag === "ResourceAnswer" ? a.accepted : null))).toEqual([true, true, false])
    expect(answers[2]).toMatchObject({ entry: { name: "x", newest: 5, value: "new", rejected: 1, writes: [{ writer: "w", token: 5, value: "new" }] } })
  })

  it("takes every write in the naive variant, whatever its token", () => {
    const naive = leaseActor({ ...config, bugs: lockSpec.bugsOf("naive") })
    const state = naive.onRequest(resource, "w", write(1, "x", 5, "new")).state
    expect(naive.onRequest(state, "w", write(2, "x", 4, "old")).out).toMatchObject([{ response: { accepted: true, entry: { value: "old" } } }])
  })

  it("decodes requests with their Schema and refuses a ttl below 100 ms or a name with a slash", () => {
    expect(() => Schema.decodeUnknownSync(LockRequest)(acquire(1, "x", "a", 50))).toThrow()
    expect(() => Schema.decodeUnknownSync(LockRequest)(acquire(1, "x/y", "a"))).toThrow()
  })
})
