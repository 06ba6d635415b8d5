/**
 * Nodes in one process, linked through a shared MemoryNetwork: a test runs
 * a whole cluster without sockets. Each node built with `network.transport`
 * joins the network while its scope is open. A flush hands each link's
 * frames over on the next turn of the event loop, in the order sent, to
 * whichever node holds that id then; a node that is down gets nothing, as
 * over TCP. By default every frame goes through the spec's Schemas and
 * JSON, as on the wire, so a message that would not survive TCP fails here
 * too; `wire: "plain"` hands the frame itself over.
 */
import type { NodeId } from "@parley/core"
import { Effect, Layer, Result } from "effect"
import { ListenError } from "../errors.ts"
import { NodeConfig } from "../node-config.ts"
import { peerFrameJson, Transport } from "../transport.ts"
import type { PeerFrame, PeerLink } from "../transport.ts"

/** How a frame travels: as its JSON text, encoded and decoded with the spec's Schemas, or as the frame itself. */
export type MemoryWire = "json" | "plain"

export interface MemoryNetworkOptions {
  readonly wire?: MemoryWire
}

/** What travels: a frame's JSON text, or the frame itself. */
type Payload = string | PeerFrame
type Endpoint = (from: NodeId, payloads: ReadonlyArray<Payload>) => void

/** Frames one link holds, sent but not yet handed over, before further ones are dropped. */
const maxFramesInFlight = 65_536

export class MemoryNetwork {
  /** A node's Transport on this network. */
  readonly transport: Layer.Layer<Transport, never, NodeConfig>

  constructor(options: MemoryNetworkOptions = {}) {
    const endpoints = new Map<NodeId, Endpoint>()
    const wire = options.wire ?? "json"
    this.transport = Layer.effect(Transport, Effect.gen(function*() {
      const config = yield* NodeConfig
      return Transport.of({
        open: (receive) =>
          Effect.gen(function*() {
            const context = yield* Effect.context<never>()
            const endpoint = endpointOf(config, receive, (effect) => Effect.runForkWith(context)(effect))
            yield* Effect.acquireRelease(join(endpoints, config.self, endpoint), () => Effect.sync(() => endpoints.delete(config.self)))
            return yield* linkFrom(config, wire, endpoints)
          })
      })
    }))
  }
}

const join = (endpoints: Map<NodeId, Endpoint>, self: NodeId, endpoint: Endpoint) =>
  Effect.suspend(() => {
    if (endpoints.has(self)) {
      return Effect.fail(new ListenError({ address: `memory:${self}`, message: `a node ${self} is already on this memory network` }))
    }
    endpoints.set(self, endpoint)
    return Effect.void
  })

/** Receives for one node: decodes JSON payloads with the spec's Schemas, dropping what does not decode. */
const endpointOf = (
  config: NodeConfig["Service"],
  receive: (from: NodeId, frame: PeerFrame) => void,
  log: (effect: Effect.Effect<void>) => void
): Endpoint => {
  const known = new Set(config.nodes.map((node) => node.id))
  const frames = peerFrameJson(config.hosted)
  const drop = (from: NodeId, reason: string) =>
    log(Effect.logWarning("dropped a bad frame").pipe(Effect.annotateLogs({ peerNode: from, reason })))
  const decode = (payload: Payload): Result.Result<PeerFrame, string> => typeof payload === "string" ? frames.read(payload) : Result.succeed(payload)
  return (from, payloads) => {
    if (!known.has(from) || from === config.self) return drop(from, `a frame from "${from}", which is not a peer in the cluster`)
    for (const payload of payloads) {
      const frame = decode(payload)
      if (Result.isFailure(frame)) drop(from, frame.failure)
      else receive(from, frame.success)
    }
  }
}

/** Sends for one node: each link queues until flush, then hands its batch over on the next turn of the event loop. */
const linkFrom = (config: NodeConfig["Service"], wire: MemoryWire, endpoints: ReadonlyMap<NodeId, Endpoint>) =>
  Effect.gen(function*() {
    const frames = peerFrameJson(config.hosted)
    const peers = new Set(config.nodes.map((node) => node.id).filter((id) => id !== config.self))
    const queued = new Map<NodeId, Array<Payload>>()
    const inFlight = new Map<NodeId, number>()
    const scheduled = new Set<ReturnType<typeof setImmediate>>()
    yield* Effect.addFinalizer(() => Effect.sync(() => scheduled.forEach((handle) => clearImmediate(handle))))

    const handOver = (to: NodeId, batch: ReadonlyArray<Payload>) => {
      const handle = setImmediate(() => {
        scheduled.delete(handle)
        inFlight.set(to, (inFlight.get(to) ?? 0) - batch.length)
        endpoints.get(to)?.(config.self, batch)
      })
      scheduled.add(handle)
    }
    const link: PeerLink = {
      send: (to, frame) => {
        const count = inFlight.get(to) ?? 0
        if (!peers.has(to) || count >= maxFramesInFlight) return
        inFlight.set(to, count + 1)
        const batch = queued.get(to) ?? []
        batch.push(wire === "json" ? frames.text(frame) : frame)
        queued.set(to, batch)
      },
      flush: () => {
        queued.forEach((batch, to) => handOver(to, batch))
        queued.clear()
      }
    }
    return link
  })
