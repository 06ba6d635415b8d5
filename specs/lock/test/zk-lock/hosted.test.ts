import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { zkActor, zkLockHosted, zkRecipe } from "../../src/index.ts"
import type { ZkNodeState, ZkRequest, ZkResponse } from "../../src/index.ts"

const actor = zkActor({ bugs: zkRecipe, clients: [], sessionTimeoutMs: 3000, resource: true })
const server = actor.init({ self: "zk", nodes: ["zk"] }).state

/** Runs requests in order, each from its client; the state after them, every answer and every other output. */
const run = (start: ZkNodeState, requests: ReadonlyArray<readonly [string, ZkRequest]>) =>
  requests.reduce(
    (acc, [client, request]) => {
      const next = actor.onRequest(acc.state, client, request)
      return {
        state: next.state,
        answers: [...acc.answers, ...next.out.flatMap((o) => (o._tag === "Reply" ? [{ client: o.client, response: o.response }] : []))],
        timers: [...acc.timers, ...next.out.flatMap((o) => (o._tag === "SetTimer" ? [o.timer] : []))]
      }
    },
    { state: start, answers: [] as Array<{ client: string; response: ZkResponse }>, timers: [] as Array<unknown> }
  )

const acquire = (seq: number, owner: string, name = "x"): ZkRequest => ({ _tag: "Acquire", seq, name, owner, ttlMs: 1000 })
const watch = (seq: number, owner: string, token: number): ZkRequest => ({ _tag: "Watch", seq, name: "x", owner, token })

describe("the hosted ZooKeeper server", () => {
  const queued = run(server, [["a", acquire(1, "a")], ["b", acquire(1, "b")], ["c", acquire(1, "c")]])

  it("holds the lowest node, and names each waiter its predecessor to watch", () => {
    expect(queued.answers.map(({ response }) => (response._tag === "LockAnswer" ? [response.ok, response.lease?.holder, response.waitFor] : null))).toEqual([
      [true, "a", null],
      [false, "a", 1],
      [false, "a", 2]
    ])
  })

  it("finds the owner's node when it asks again: a retried acquire creates nothing", () => {
    const again = run(queued.state, [["b", acquire(2, "b")]])
    expect(again.state).toEqual({ ...queued.state })
    expect(again.answers[0]!.response).toMatchObject({ ok: false, waitFor: 1 })
  })

  it("arms a session's expiry on every call of its owner: each is a heartbeat", () => {
    expect(queued.timers).toEqual([{ _tag: "Expire", session: "a" }, { _tag: "Expire", session: "b" }, { _tag: "Expire", session: "c" }])
    expect(run(queued.state, [["a", { _tag: "Renew", seq: 2, name: "x", token: 1 }]]).timers).toEqual([{ _tag: "Expire", session: "a" }])
  })

  it("answers a waiter's watch only when its predecessor is deleted, once however often the host asks again", () => {
    const watching = run(queued.state, [["b", watch(2, "b", 1)], ["b", watch(2, "b", 1)], ["c", watch(2, "c", 2)]])
    expect(watching.answers).toEqual([])
    const released = run(watching.state, [["a", { _tag: "Release", seq: 3, name: "x", token: 1 }]])
    expect(released.answers).toEqual([
      { client: "b", response: { _tag: "Watched", seq: 2, token: 1 } },
      { client: "a", response: expect.objectContaining({ command: "release", ok: true }) }
    ])
  })

  it("answers a watch on a node that is gone at once", () => {
    expect(run(queued.state, [["b", watch(2, "b", 9)]]).answers).toEqual([{ client: "b", response: { _tag: "Watched", seq: 2, token: 9 } }])
  })

  it("expires a session: its node goes, its successor's watch fires, and its owner is refused from then on", () => {
    const watching = run(queued.state, [["b", watch(2, "b", 1)]])
    const expired = actor.onTimer(watching.state, { _tag: "Expire", session: "a" })
    expect(expired.out).toEqual([{ _tag: "Reply", client: "b", response: { _tag: "Watched", seq: 2, token: 1 } }])
    expect(run(expired.state, [["a", acquire(4, "a")]]).answers[0]!.response).toMatchObject({ ok: false, sessionExpired: true })
    expect(run(expired.state, [["b", acquire(3, "b")]]).answers[0]!.response).toMatchObject({ ok: true, lease: { holder: "b", token: 2 } })
  })

  it("recovers its nodes and sessions, without watches, and arms every live session's expiry again", () => {
    const watching = run(queued.state, [["b", watch(2, "b", 1)]])
    const recovered = actor.recover({ self: "zk", nodes: ["zk"] }, Schema.decodeUnknownSync(zkLockHosted.durable)(actor.durable(watching.state)))
    expect(recovered.state).toMatchObject({ lastSeq: 3, nodeWatches: [], children: queued.state.role === "server" ? queued.state.children : [] })
    expect(recovered.out).toEqual(["a", "b", "c"].map((session) => ({ _tag: "SetTimer", timer: { _tag: "Expire", session } })))
  })

  it("keeps lock names apart", () => {
    const other = run(queued.state, [["d", acquire(1, "d", "y")]])
    expect(other.answers[0]!.response).toMatchObject({ ok: true, lease: { name: "y", holder: "d", token: 4 } })
  })
})
