/**
 * The MemoryNetwork as a transport, below the node: what one node's link
 * sends reaches the other node's `receive`, in order and decoded, and only
 * while that node is on the network.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Exit, Layer, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { loopbackNodes } from "../src/cluster-file.ts"
import { NodeConfig } from "../src/node-config.ts"
import { MemoryNetwork } from "../src/transport/memory.ts"
import type { MemoryWire } from "../src/transport/memory.ts"
import { Transport } from "../src/transport.ts"
import type { PeerFrame } from "../src/transport.ts"

const hosted: AnyHostedSpec = raftHosted
const nodes = loopbackNodes(20_000, 3)

const configOf = (self: NodeId, members = nodes) =>
  Layer.succeed(NodeConfig, NodeConfig.of({ self, nodes: members, hosted, options: {}, timers: {} }))

/** Opens `self`'s link on the network in `scope`; what arrives is pushed onto the returned array. */
const join = (network: MemoryNetwork, self: NodeId, scope: Scope.Scope, members = nodes) =>
  Effect.gen(function*() {
    const received: Array<{ readonly from: NodeId; readonly frame: PeerFrame }> = []
    const transport = yield* Transport.pipe(Effect.provide(network.transport.pipe(Layer.provide(configOf(self, members)))))
    const link = yield* transport.open((from, frame) => received.push({ from, frame })).pipe(Scope.provide(scope))
    return { link, received }
  })

const nextTurn = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

const vote = (term: number): PeerFrame => ({ _tag: "Message", body: { _tag: "Vote", term, pre: false, granted: true } })

describe.each<MemoryWire>(["json", "plain"])("a memory network (wire: %s)", (wire) => {
  it("delivers a link's frames in order, decoded, on the turn after the flush", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = new MemoryNetwork({ wire })
      const scope = yield* Effect.scope
      const n1 = yield* join(network, "n1", scope)
      const n2 = yield* join(network, "n2", scope)
      const frames = [vote(1), { _tag: "Forward", client: "c", request: { seq: 1, op: { _tag: "Get", key: "k" } } } as const, vote(2)]
      for (const frame of frames) n1.link.send("n2", frame)
      expect(n2.received).toEqual([])
      n1.link.flush()
      expect(n2.received).toEqual([])
      yield* nextTurn
      expect(n2.received).toEqual(frames.map((frame) => ({ from: "n1", frame })))
      expect(n1.received).toEqual([])
    }))))

  it("drops frames for a node that is not on the network, or has left it", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = new MemoryNetwork({ wire })
      const n1 = yield* join(network, "n1", yield* Effect.scope)
      n1.link.send("n2", vote(1))
      n1.link.flush()
      yield* nextTurn
      const n2Scope = yield* Scope.make()
      const n2 = yield* join(network, "n2", n2Scope)
      yield* Scope.close(n2Scope, Exit.void)
      n1.link.send("n2", vote(2))
      n1.link.flush()
      yield* nextTurn
      expect(n2.received).toEqual([])
    }))))
})

describe("a memory network", () => {
  it("refuses a second node with the same id while the first is on it", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = new MemoryNetwork()
      const scope = yield* Effect.scope
      yield* join(network, "n1", scope)
      const again = yield* Effect.flip(join(network, "n1", scope))
      expect(again).toMatchObject({ _tag: "ListenError", message: "a node n1 is already on this memory network" })
    }))))

  it("refuses at the send, as TCP would, a frame that does not fit the spec's Schemas", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const n1 = yield* join(new MemoryNetwork(), "n1", yield* Effect.scope)
      expect(() => n1.link.send("n2", { _tag: "Forward", client: "c", request: { seq: 0 } })).toThrow(/seq/)
    }))))

  it("drops frames from a node outside the receiver's cluster", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = new MemoryNetwork()
      const scope = yield* Effect.scope
      const stranger = yield* join(network, "x", scope, [...nodes, { id: "x", client: "127.0.0.1:1", peer: "127.0.0.1:2" }])
      const n1 = yield* join(network, "n1", scope)
      stranger.link.send("n1", vote(1))
      stranger.link.flush()
      yield* nextTurn
      expect(n1.received).toEqual([])
    }))))
})
