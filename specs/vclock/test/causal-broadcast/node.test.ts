import { describe, expect, it } from "vitest"
import { causalActor, causalBroadcast, ready } from "../../src/causal-broadcast/node.ts"
import type { Broadcast } from "../../src/causal-broadcast/messages.ts"

const m = (origin: string, seq: number, clock: Record<string, number>, text = "", inReplyTo: string | null = null): Broadcast => ({
  _tag: "Broadcast",
  origin,
  seq,
  clock,
  text,
  inReplyTo
})

describe("causal readiness", () => {
  it.each([
    // delivered, message, ready
    [{}, m("n1", 1, { n1: 1 }), true],
    [{}, m("n1", 2, { n1: 2 }), false],
    [{}, m("n2", 1, { n1: 1, n2: 1 }), false],
    [{ n1: 1 }, m("n2", 1, { n1: 1, n2: 1 }), true],
    [{ n1: 1, n2: 1 }, m("n2", 1, { n1: 1, n2: 1 }), false]
  ] as const)("delivered %j: %j is ready: %s", (delivered, message, expected) => {
    expect(ready(causalBroadcast, delivered, message)).toBe(expected)
  })

  it("fifo-only ignores the dependencies on other origins", () => {
    expect(ready({ ...causalBroadcast, fifoOnly: true }, {}, m("n2", 1, { n1: 1, n2: 1 }))).toBe(true)
  })
})

describe("causal broadcast node", () => {
  const actor = causalActor({ ...causalBroadcast, broadcastTimer: true, sync: false })
  const n3 = actor.init({ self: "n3", nodes: ["n1", "n2", "n3"] }).state

  it("a broadcast is stamped with what the sender delivered, delivered to itself at once, and sent to every peer", () => {
    const got = actor.onMessage(n3, "n1", m("n1", 1, { n1: 1 })).state
    const sent = actor.onTimer(got, "broadcast")
    expect(sent.state.log.map((x) => `${x.origin}#${x.seq}`)).toEqual(["n1#1", "n3#1"])
    expect(sent.out).toEqual([
      { _tag: "Send", to: "n1", message: m("n3", 1, { n1: 1, n3: 1 }) },
      { _tag: "Send", to: "n2", message: m("n3", 1, { n1: 1, n3: 1 }) },
      { _tag: "SetTimer", timer: "broadcast" }
    ])
  })

  it("a message that overtook its cause waits, and is delivered right after the cause arrives", () => {
    const waiting = actor.onMessage(n3, "n2", m("n2", 1, { n1: 1, n2: 1 })).state
    expect(waiting).toMatchObject({ log: [], pending: [m("n2", 1, { n1: 1, n2: 1 })] })
    const caughtUp = actor.onMessage(waiting, "n1", m("n1", 1, { n1: 1 })).state
    expect(caughtUp).toMatchObject({ delivered: { n1: 1, n2: 1 }, pending: [], log: [m("n1", 1, { n1: 1 }), m("n2", 1, { n1: 1, n2: 1 })] })
  })
})

describe("a hosted node: posts, lists, digests and recovery", () => {
  const hosted = causalActor({ ...causalBroadcast, broadcastTimer: false, sync: true })
  const boot = hosted.init({ self: "n3", nodes: ["n1", "n2", "n3"] })
  const n3 = boot.state

  it("sets only the sync timer: it broadcasts on request", () => {
    expect(boot.out).toEqual([{ _tag: "SetTimer", timer: "sync" }])
  })

  it("a post is broadcast with its text and answered with the message; a reply to what it delivered carries the id", () => {
    const got = hosted.onMessage(n3, "n1", m("n1", 1, { n1: 1 }, "hello")).state
    const { state, out } = hosted.onRequest(got, "c", { _tag: "Post", seq: 7, text: "hi back", inReplyTo: "n1#1" })
    const sent = m("n3", 1, { n1: 1, n3: 1 }, "hi back", "n1#1")
    expect(state.log.map((x) => x.text)).toEqual(["hello", "hi back"])
    expect(out).toEqual([
      { _tag: "Send", to: "n1", message: sent },
      { _tag: "Send", to: "n2", message: sent },
      { _tag: "Reply", client: "c", response: { _tag: "Posted", seq: 7, message: sent } }
    ])
  })

  it("refuses a reply to a message it has not delivered, and changes nothing", () => {
    const { state, out } = hosted.onRequest(n3, "c", { _tag: "Post", seq: 1, text: "re", inReplyTo: "n1#1" })
    expect(state).toEqual(n3)
    expect(out).toEqual([{ _tag: "Reply", client: "c", response: { _tag: "NotPosted", seq: 1, reason: expect.stringMatching(/^n3 has not delivered n1#1/) } }])
  })

  it("lists a window of its log with the counts", () => {
    let s = n3
    for (const text of ["a", "b", "c"]) s = hosted.onRequest(s, "c", { _tag: "Post", seq: 1, text, inReplyTo: null }).state
    const { out } = hosted.onRequest(s, "c", { _tag: "List", seq: 2, from: 1, limit: 1 })
    expect(out).toEqual([{ _tag: "Reply", client: "c", response: { _tag: "Listed", seq: 2, messages: [s.log[1]], delivered: 3, pending: 0 } }])
  })

  it("drops a message it delivered or holds already", () => {
    const once = hosted.onMessage(n3, "n2", m("n2", 1, { n1: 1, n2: 1 })).state
    expect(hosted.onMessage(once, "n2", m("n2", 1, { n1: 1, n2: 1 })).state).toEqual(once)
    const delivered = hosted.onMessage(n3, "n1", m("n1", 1, { n1: 1 })).state
    expect(hosted.onMessage(delivered, "n1", m("n1", 1, { n1: 1 })).state).toEqual(delivered)
  })

  it("on sync sends its digest to every peer; answers a digest with its own messages the digest lacks, and only those", () => {
    let s = hosted.onMessage(n3, "n1", m("n1", 1, { n1: 1 })).state
    for (const text of ["a", "b"]) s = hosted.onRequest(s, "c", { _tag: "Post", seq: 1, text, inReplyTo: null }).state
    expect(hosted.onTimer(s, "sync").out).toEqual([
      { _tag: "Send", to: "n1", message: { _tag: "Digest", delivered: { n1: 1, n3: 2 } } },
      { _tag: "Send", to: "n2", message: { _tag: "Digest", delivered: { n1: 1, n3: 2 } } },
      { _tag: "SetTimer", timer: "sync" }
    ])
    expect(hosted.onMessage(s, "n2", { _tag: "Digest", delivered: { n3: 1 } }).out).toEqual([{ _tag: "Send", to: "n2", message: s.log[2] }])
    expect(hosted.onMessage(s, "n2", { _tag: "Digest", delivered: { n3: 2 } }).out).toEqual([])
  })

  it("recovers what it delivered from its durable log, and forgets what waited", () => {
    let s = hosted.onMessage(n3, "n1", m("n1", 1, { n1: 1 })).state
    s = hosted.onRequest(s, "c", { _tag: "Post", seq: 1, text: "a", inReplyTo: null }).state
    s = hosted.onMessage(s, "n2", m("n2", 2, { n1: 1, n2: 2 })).state
    const recovered = hosted.recover({ self: "n3", nodes: ["n1", "n2", "n3"] }, hosted.durable(s))
    expect(recovered.state).toEqual({ ...s, pending: [] })
    expect(recovered.out).toEqual([{ _tag: "SetTimer", timer: "sync" }])
  })
})
