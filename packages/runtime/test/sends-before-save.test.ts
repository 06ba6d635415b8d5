/**
 * The order in which the node loop saves and sends: every output waits for
 * the batch's durable save, but for the messages the hosted spec lets leave
 * before it (`sendsBeforeSave`, Raft's AppendEntries), which leave first
 * unless an earlier message of the batch to the same node has to wait, so
 * every link keeps its order.
 */
import type { Actor, AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { PeerKey } from "../src/credentials.ts"
import { nodeLayer } from "../src/host.ts"
import { Node } from "../src/node.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { saved, Storage } from "../src/storage.ts"
import { Transport } from "../src/transport.ts"
import type { PeerFrame } from "../src/transport.ts"

type Message = { readonly _tag: string; readonly n: number }

/** Each request is a step whose durable state changes and whose sends are, in order: */
const sends: ReadonlyArray<{ readonly to: string; readonly message: Message }> = [
  { to: "n2", message: { _tag: "AppendEntries", n: 1 } },
  { to: "n3", message: { _tag: "Vote", n: 2 } },
  // Behind a Vote to the same node, so it waits with it.
  { to: "n3", message: { _tag: "AppendEntries", n: 3 } },
  { to: "n2", message: { _tag: "AppendEntries", n: 4 } }
]

const counter: Actor<number, Message, never, unknown, unknown, { readonly count: number }> = {
  init: () => ({ state: 0, out: [] }),
  recover: (_context, durable) => ({ state: durable.count, out: [] }),
  durable: (count) => ({ count }),
  onMessage: (state) => ({ state, out: [] }),
  onTimer: (state) => ({ state, out: [] }),
  onRequest: (state) => ({ state: state + 1, out: sends.map(({ to, message }) => ({ _tag: "Send" as const, to, message })) })
}

const hostedCounter = (sendsBeforeSave: ((message: Message) => boolean) | undefined): AnyHostedSpec => {
  const { sendsBeforeSave: _raftsOwn, ...raft } = raftHosted as unknown as AnyHostedSpec
  return {
    ...raft,
    name: "counter",
    actor: () => counter as unknown as ReturnType<AnyHostedSpec["actor"]>,
    api: { ...raft.api, status: { schema: Schema.Struct({}), of: () => ({}) } },
    ...(sendsBeforeSave === undefined ? {} : { sendsBeforeSave: (message: unknown) => sendsBeforeSave(message as Message) })
  }
}

/** What the node did, in order: each save, each frame handed to the transport, each flush. */
const journaled = async (hosted: AnyHostedSpec): Promise<ReadonlyArray<string>> => {
  const journal: Array<string> = []
  const storage = Layer.succeed(Storage, Storage.of({ load: Effect.succeed(Option.none()), save: () => (journal.push("save"), saved) }))
  const transport = Layer.succeed(Transport, Transport.of({
    open: () =>
      Effect.succeed({
        send: (to: string, frame: PeerFrame) => void journal.push(`${to} ${JSON.stringify(frame._tag === "Message" ? frame.body : frame)}`),
        flush: () => void journal.push("flush")
      })
  }))
  const base = await Effect.runPromise(freeBasePort(3))
  const nodes = ["n1", "n2", "n3"].map((id, i) => ({ id, client: `127.0.0.1:${base + i + 1}`, peer: `127.0.0.1:${base + i + 101}` }))
  const config = NodeConfig.of({
    self: "n1",
    nodes,
    hosted,
    options: {},
    timers: { election: { minMs: 60_000, maxMs: 60_000 }, heartbeat: { minMs: 60_000, maxMs: 60_000 }, "check-quorum": { minMs: 60_000, maxMs: 60_000 } }
  })
  const layer = nodeLayer(storage, transport).pipe(Layer.provide(PeerKey.layer("00".repeat(32))), Layer.provide(Layer.succeed(NodeConfig, config)))
  await Effect.runPromise(Effect.gen(function*() {
    const node = Context.get(yield* Layer.build(layer), Node)
    const started = journal.length
    yield* node.submit("client", 1, { _tag: "Count" }, 100)
    expect(journal.slice(0, started)).toEqual(["save", "flush"])
    journal.splice(0, started)
  }).pipe(Effect.scoped))
  return journal
}

describe("the node loop's saves and sends", () => {
  it("sends what the spec lets leave before the save first, keeping each link's order, and the rest after it", async () => {
    expect(await journaled(hostedCounter((message) => message._tag === "AppendEntries"))).toEqual([
      `n2 {"_tag":"AppendEntries","n":1}`,
      `n2 {"_tag":"AppendEntries","n":4}`,
      "flush",
      "save",
      `n3 {"_tag":"Vote","n":2}`,
      `n3 {"_tag":"AppendEntries","n":3}`,
      "flush"
    ])
  })

  it("sends everything after the save when the spec lets nothing leave before it", async () => {
    expect(await journaled(hostedCounter(undefined))).toEqual([
      "save",
      `n2 {"_tag":"AppendEntries","n":1}`,
      `n3 {"_tag":"Vote","n":2}`,
      `n3 {"_tag":"AppendEntries","n":3}`,
      `n2 {"_tag":"AppendEntries","n":4}`,
      "flush"
    ])
  })
})
