/**
 * The node's timers move a deadline when re-armed (timers.ts): a timer
 * fires once, at its latest deadline and not before, with its latest
 * generation; re-armed earlier it fires at the earlier time; cancelled it
 * never fires. The bounds are generous: a busy machine only makes firings
 * late, never early.
 */
import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Layer } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { Inbox } from "../src/inbox.ts"
import type { NodeEvent } from "../src/inbox.ts"
import { NodeConfig } from "../src/node-config.ts"
import { Timers } from "../src/timers.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `body` with Timers whose election timer takes `election` ms, and the events its inbox got. */
const withTimers = (election: { readonly minMs: number; readonly maxMs: number }, body: (timers: Timers["Service"], fired: () => ReadonlyArray<NodeEvent>) => Promise<void>) => {
  const config = Layer.succeed(NodeConfig, NodeConfig.of({
    self: "n1",
    nodes: [{ id: "n1", client: "127.0.0.1:1", peer: "127.0.0.1:2" }],
    hosted: raftHosted as unknown as AnyHostedSpec,
    options: {},
    timers: { election }
  }))
  return Effect.runPromise(Effect.gen(function*() {
    const inbox = yield* Inbox
    const timers = yield* Timers
    const events: Array<NodeEvent> = []
    const fired = () => {
      events.push(...inbox.takeAll())
      return events
    }
    yield* Effect.promise(() => body(timers, fired))
  }).pipe(Effect.provide(Timers.layer.pipe(Layer.provideMerge(Inbox.layer), Layer.provide(config))), Effect.scoped))
}

afterEach(() => vi.restoreAllMocks())

describe("a node's timer", () => {
  it("re-armed, fires once, no sooner than its latest deadline, with its latest generation", () =>
    withTimers({ minMs: 60, maxMs: 60 }, async (timers, fired) => {
      timers.set("election")
      await sleep(30)
      const rearmed = performance.now()
      timers.set("election")
      while (fired().length === 0) await sleep(5)
      expect(performance.now() - rearmed).toBeGreaterThanOrEqual(59)
      await sleep(150)
      const events = fired()
      expect(events).toHaveLength(1)
      const [event] = events
      if (event?._tag !== "Timer") throw new Error(`not a timer event: ${JSON.stringify(event)}`)
      expect(event.timer).toBe("election")
      expect(timers.isCurrent(event.key, event.generation)).toBe(true)
    }))

  it("re-armed earlier, fires at the earlier deadline", () =>
    withTimers({ minMs: 10, maxMs: 20_000 }, async (timers, fired) => {
      vi.spyOn(Math, "random").mockReturnValueOnce(1).mockReturnValueOnce(0)
      timers.set("election")
      timers.set("election")
      const start = performance.now()
      while (fired().length === 0 && performance.now() - start < 10_000) await sleep(5)
      expect(fired()).toHaveLength(1)
    }))

  it("cancelled, never fires; an event it fired before is no longer current", () =>
    withTimers({ minMs: 20, maxMs: 20 }, async (timers, fired) => {
      timers.set("election")
      timers.cancel("election")
      await sleep(100)
      expect(fired()).toHaveLength(0)
      timers.set("election")
      while (fired().length === 0) await sleep(5)
      const [event] = fired()
      if (event?._tag !== "Timer") throw new Error(`not a timer event: ${JSON.stringify(event)}`)
      timers.cancel("election")
      expect(timers.isCurrent(event.key, event.generation)).toBe(false)
    }))
})
