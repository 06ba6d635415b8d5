/**
 * Messages between nodes over TCP. Each node dials every peer and sends on
 * that connection only, so every link is one ordered stream, as the model's
 * `ordered` network assumes. A connection starts with a Hello frame that
 * names the sender; every later frame is one message, decoded with the
 * spec's Schema. A frame that does not decode is logged with the peer's
 * address and the connection is closed; the node goes on. Sends on a link
 * that is down are dropped: the reducers already survive message loss
 * (Raft resends on its heartbeat), and queueing for a dead peer would only
 * grow memory.
 */
import type { ClientId, NodeId } from "@parley/core"
import { Context, Effect, Layer, Result, Schema } from "effect"
import * as net from "node:net"
import { addressOf, oneLine } from "./cluster-file.ts"
import { ListenError } from "./errors.ts"
import { encodeFrame, FrameReader, maxFrameBytes, parseFrame } from "./frame.ts"
import { Inbox, offerEvent } from "./inbox.ts"
import { NodeConfig } from "./node-config.ts"
import { Replies } from "./replies.ts"

export const PeerHello = Schema.TaggedStruct("Hello", { from: Schema.String })

/** What follows the Hello on a connection, for a spec with these Schemas. */
const peerFrame = <M, Req, Res>(message: Schema.Codec<M, unknown>, request: Schema.Codec<Req, unknown>, response: Schema.Codec<Res, unknown>) =>
  Schema.Union([
    Schema.TaggedStruct("Message", { body: message }),
    Schema.TaggedStruct("Forward", { client: Schema.String, request }),
    Schema.TaggedStruct("Answer", { client: Schema.String, response })
  ])

export class Transport extends Context.Service<Transport, {
  /** Queues a message for `to`; `flush` writes what was queued, one write per peer. */
  send(to: NodeId, message: unknown): void
  /** Hands a client request to another node's reducer, written within this turn of the event loop; its answer comes back through Replies. */
  forward(to: NodeId, client: ClientId, request: unknown): void
  /** Sends `response` to the node that forwarded `client`'s request here; false when none did. */
  answerForwarded(client: ClientId, response: unknown): boolean
  flush(): void
  /** Drops all traffic to and from these nodes, until the next call replaces the set. */
  partition(blocked: ReadonlyArray<NodeId>): void
  blocked(): ReadonlyArray<NodeId>
}>()("@parley/runtime/Transport") {
  static readonly tcp = Layer.effect(Transport, Effect.gen(function*() {
    const config = yield* NodeConfig
    const inbox = yield* Inbox
    const replies = yield* Replies
    const context = yield* Effect.context<never>()
    const log = (effect: Effect.Effect<void>) => Effect.runForkWith(context)(effect)
    const blocked = new Set<NodeId>()
    const known = new Set(config.nodes.map((node) => node.id))
    const Frame = peerFrame(config.hosted.message, config.hosted.request, config.hosted.response)
    const encode = Schema.encodeSync(Frame)
    const decode = Schema.decodeUnknownResult(Frame)
    /** Which node forwarded each client's requests here, so the answers go back to it. */
    const forwardedBy = new Map<ClientId, NodeId>()
    const decodeHello = Schema.decodeUnknownResult(PeerHello)

    const accept = (socket: net.Socket): void => {
      const peer = `${socket.remoteAddress}:${socket.remotePort}`
      const reader = new FrameReader()
      let from: NodeId | undefined
      let rejected = false
      const reject = (reason: string): void => {
        rejected = true
        log(Effect.logWarning("dropped a bad frame and closed the connection").pipe(
          Effect.annotateLogs({ peer, peerNode: from ?? "unknown", reason })
        ))
        socket.destroy()
      }
      const receive = (frame: Buffer): void => {
        const parsed = parseFrame(frame)
        if (!parsed.ok) return reject(`frame is not JSON: ${parsed.reason}`)
        if (from === undefined) {
          const hello = decodeHello(parsed.value)
          if (Result.isFailure(hello)) return reject("the first frame must be a Hello naming the sending node")
          if (!known.has(hello.success.from) || hello.success.from === config.self) {
            return reject(`Hello from "${hello.success.from}", which is not a peer in the cluster file`)
          }
          from = hello.success.from
          return
        }
        const decoded = decode(parsed.value)
        if (Result.isFailure(decoded)) {
          return reject(`frame does not decode as a ${config.hosted.name} message: ${oneLine(decoded.failure.message)}`)
        }
        if (blocked.has(from)) return
        const received = decoded.success
        switch (received._tag) {
          case "Message":
            return offerEvent(inbox, { _tag: "Message", from, message: received.body })
          case "Forward":
            forwardedBy.set(received.client, from)
            return offerEvent(inbox, { _tag: "Request", client: received.client, request: received.request })
          case "Answer":
            replies.deliver(received.client, received.response)
            return
        }
      }
      socket.on("data", (chunk: Buffer) => {
        if (rejected) return
        const read = reader.push(chunk)
        if (read._tag === "TooLarge") return reject(`frame length ${read.bytes} exceeds the limit of ${maxFrameBytes} bytes`)
        for (const frame of read.frames) {
          receive(frame)
          if (rejected) return
        }
      })
      socket.on("close", () => {
        if (!rejected && reader.buffered > 0) {
          log(Effect.logWarning("connection closed in the middle of a frame; the truncated frame is dropped").pipe(
            Effect.annotateLogs({ peer, peerNode: from ?? "unknown", bytes: reader.buffered })
          ))
        }
      })
      socket.on("error", () => socket.destroy())
    }

    const server = net.createServer(accept)
    const own = addressOf(config.nodes.find((node) => node.id === config.self)!.peer)
    yield* Effect.acquireRelease(
      Effect.callback<void, ListenError>((resume) => {
        server.once("error", (error) => resume(Effect.fail(new ListenError({ address: `${own.host}:${own.port}`, message: error.message }))))
        server.listen({ host: own.host, port: own.port }, () => resume(Effect.void))
      }),
      () => Effect.sync(() => server.close())
    )
    const sockets = new Set<net.Socket>()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })

    const dialers = new Map<NodeId, Dialer>()
    for (const node of config.nodes) {
      if (node.id !== config.self) dialers.set(node.id, new Dialer(addressOf(node.peer), encodeFrame({ _tag: "Hello", from: config.self })))
    }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        dialers.forEach((dialer) => dialer.close())
        sockets.forEach((socket) => socket.destroy())
      })
    )

    const queue = (to: NodeId, outgoing: typeof Frame.Type): void => {
      if (!blocked.has(to)) dialers.get(to)?.queue(encodeFrame(encode(outgoing)))
    }
    const flush = (): void => dialers.forEach((dialer) => dialer.flush())
    let flushScheduled = false
    /** Forwarded requests from one turn of the event loop leave in one write per peer. */
    const flushSoon = (): void => {
      if (flushScheduled) return
      flushScheduled = true
      setImmediate(() => {
        flushScheduled = false
        flush()
      })
    }

    return Transport.of({
      send: (to, message) => queue(to, { _tag: "Message", body: message }),
      forward: (to, client, request) => {
        queue(to, { _tag: "Forward", client, request })
        flushSoon()
      },
      answerForwarded: (client, response) => {
        const to = forwardedBy.get(client)
        if (to === undefined) return false
        queue(to, { _tag: "Answer", client, response })
        return true
      },
      flush,
      partition: (nodes) => {
        blocked.clear()
        for (const node of nodes) blocked.add(node)
        log(Effect.logInfo("partition set").pipe(Effect.annotateLogs({ blocked: [...blocked].join(",") || "none" })))
      },
      blocked: () => [...blocked]
    })
  }))
}

/** Bytes a peer may leave unread before further messages to it are dropped. */
const maxUnsentBytes = 8 * 1024 * 1024

/** The outgoing connection to one peer: redialled with backoff, from 50 ms doubling to 1 s, whenever it drops. */
class Dialer {
  private socket: net.Socket | undefined
  private connected = false
  private closed = false
  private backoffMs = 50
  private retry: ReturnType<typeof setTimeout> | undefined
  private pending: Array<Buffer> = []

  constructor(private readonly address: { readonly host: string; readonly port: number }, private readonly hello: Buffer) {
    this.dial()
  }

  queue(frame: Buffer): void {
    if (this.connected) this.pending.push(frame)
  }

  flush(): void {
    if (this.pending.length === 0) return
    const socket = this.socket
    if (this.connected && socket !== undefined && socket.writableLength < maxUnsentBytes) {
      socket.write(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending))
    }
    this.pending = []
  }

  close(): void {
    this.closed = true
    clearTimeout(this.retry)
    this.socket?.destroy()
  }

  private dial(): void {
    const socket = net.connect({ host: this.address.host, port: this.address.port })
    this.socket = socket
    socket.setNoDelay(true)
    socket.on("connect", () => {
      this.connected = true
      this.backoffMs = 50
      socket.write(this.hello)
    })
    socket.on("data", () => socket.destroy())
    socket.on("error", () => socket.destroy())
    socket.on("close", () => {
      this.connected = false
      this.pending = []
      if (this.closed) return
      this.retry = setTimeout(() => this.dial(), this.backoffMs)
      this.backoffMs = Math.min(this.backoffMs * 2, 1000)
    })
  }
}
