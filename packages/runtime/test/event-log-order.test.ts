/**
 * When the node loop writes a batch to its event log: a batch that took a
 * client request before anything of it leaves the node; any other after
 * its save, its messages and its replies. The client API writes a reply
 * when its call's promise settles, which is after the loop's turn, so the
 * log's write comes at the loop's next turn: written at the end of the
 * batch's own turn, it came before the reply.
 */
import type { Actor, AnyHostedSpec, NodeId } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { PeerKey } from "../src/credentials.ts"
import { EventLog } from "../src/event-log.ts"
import type { StepInput } from "../src/event-log.ts"
import { nodeLayer } from "../src/host.ts"
import { Node } from "../src/node.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { saved, Storage } from "../src/storage.ts"
import { Transport } from "../src/transport.ts"
import type { PeerFrame } from "../src/transport.ts"

type Message = { readonly _tag: "Ask" | "Ack" }
/** Raft's response, so that raft's client API finds the operation it answers. */
const done = { _tag: "Done", seq: 1, output: { _tag: "Written" } }

/** A request asks n2 and waits; n2's Ack answers it. */
const asker: Actor<string | null, Message, never, unknown, unknown, { readonly waiting: string | null }> = {
  init: () => ({ state: null, out: [] }),
  recover: (_context, durable) => ({ state: durable.waiting, out: [] }),
  durable: (waiting) => ({ waiting }),
  onMessage: (waiting) => ({ state: null, out: waiting === null ? [] : [{ _tag: "Reply", client: waiting, response: done }] }),
  onTimer: (state) => ({ state, out: [] }),
  onRequest: (_state, client) => ({ state: client, out: [{ _tag: "Send", to: "n2", message: { _tag: "Ask" } }] })
}

const hostedAsker = (): AnyHostedSpec => {
  const { sendsBeforeSave: _raftsOwn, ...raft } = raftHosted as unknown as AnyHostedSpec
  return {
    ...raft,
    name: "asker",
    actor: () => asker as unknown as ReturnType<AnyHostedSpec["actor"]>,
    api: { ...raft.api, status: { schema: Schema.Struct({}), of: () => ({}) } }
  }
}

describe("the node loop's event log writes", () => {
  it("writes a request's batch before its message leaves, and a reply's batch after the reply is taken", async () => {
    const journal: Array<string> = []
    let receive: ((from: NodeId, frame: PeerFrame) => void) | undefined
    const storage = Layer.succeed(Storage, Storage.of({ load: Effect.succeed(Option.none()), save: () => (journal.push("save"), saved) }))
    const transport = Layer.succeed(Transport, Transport.of({
      open: (onFrame) => {
        receive = onFrame
        return Effect.succeed({
          send: (to: string) => void journal.push(`send ${to}`),
          flush: () => {}
        })
      }
    }))
    let held: Array<StepInput["_tag"]> = []
    const write = (): void => {
      if (held.length > 0) journal.push(`log ${held.join(",")}`)
      held = []
    }
    // Holds nothing back: what is under test is when the loop asks for a write.
    const eventLog = Layer.succeed(EventLog, EventLog.of({
      open: () => Effect.succeed({ record: (input) => void held.push(input._tag), flush: write, settle: write })
    }))
    const base = await Effect.runPromise(freeBasePort(3))
    const nodes = ["n1", "n2", "n3"].map((id, i) => ({ id, client: `127.0.0.1:${base + i + 1}`, peer: `127.0.0.1:${base + i + 101}` }))
    const slow = { minMs: 60_000, maxMs: 60_000 }
    const config = NodeConfig.of({ self: "n1", nodes, hosted: hostedAsker(), options: {}, timers: { election: slow, heartbeat: slow, "check-quorum": slow } })
    const layer = nodeLayer(storage, transport, eventLog).pipe(Layer.provide(PeerKey.layer("00".repeat(32))), Layer.provide(Layer.succeed(NodeConfig, config)))
    await Effect.runPromise(Effect.gen(function*() {
      const node = Context.get(yield* Layer.build(layer), Node)
      const started = journal.length
      // As the client API answers: its call run as a promise, the answer written when the promise settles.
      const answered = Effect.runPromise(node.submit("client", 1, { _tag: "Ask" }, 10_000)).then((answer) => {
        journal.push("answered")
        return answer
      })
      while (!journal.includes("send n2")) yield* Effect.sleep(5)
      receive!("n2", { _tag: "Message", body: { _tag: "Ack" } })
      expect(Option.isSome(yield* Effect.promise(() => answered))).toBe(true)
      for (let waited = 0; !journal.includes("log Message") && waited < 5000; waited += 5) yield* Effect.sleep(5)
      expect(journal.slice(started)).toEqual(["log Request", "save", "send n2", "save", "answered", "log Message"])
    }).pipe(Effect.scoped))
  })
})
