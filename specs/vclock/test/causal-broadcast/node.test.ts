import { describe, expect, it } from "vitest"
import { causalActor, causalBroadcast, ready } from "../../src/causal-broadcast/node.ts"
import type { Broadcast } from "../../src/causal-broadcast/messages.ts"

const m = (origin: string, seq: number, clock: Record<string, number>): Broadcast => ({ _tag: "Broadcast", origin, seq, clock })

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
  const actor = causalActor(causalBroadcast)
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
