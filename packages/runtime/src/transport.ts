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
import type { NodeId } from "@parley/core"
import { Context, Effect, Layer, Result, Schema } from "effect"
import * as net from "node:net"
import { addressOf, oneLine } from "./cluster-file.ts"
import { ListenError } from "./errors.ts"
import { encodeFrame, FrameReader, maxFrameBytes, parseFrame } from "./frame.ts"
import { Inbox, offerEvent } from "./inbox.ts"
import { NodeConfig } from "./node-config.ts"

export const PeerHello = Schema.TaggedStruct("Hello", { from: Schema.String })

export class Transport extends Context.Service<Transport, {
  /** Queues a message for `to`; `flush` writes what was queued, one write per peer. */
  send(to: NodeId, message: unknown): void
  flush(): void
  /** Drops all traffic to and from these nodes, until the next call replaces the set. */
  partition(blocked: ReadonlyArray<NodeId>): void
  blocked(): ReadonlyArray<NodeId>
}>()("@parley/runtime/Transport") {
  static readonly tcp = Layer.effect(Transport, Effect.gen(function*() {
    const config = yield* NodeConfig
    const inbox = yield* Inbox
    const context = yield* Effect.context<never>()
    const log = (effect: Effect.Effect<void>) => Effect.runForkWith(context)(effect)
    const blocked = new Set<NodeId>()
    const known = new Set(config.nodes.map((node) => node.id))
    const encode = Schema.encodeSync(config.hosted.message)
    const decode = Schema.decodeUnknownResult(config.hosted.message)
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
        const message = decode(parsed.value)
        if (Result.isFailure(message)) {
          return reject(`frame does not decode as a ${config.hosted.name} message: ${oneLine(message.failure.message)}`)
        }
        if (!blocked.has(from)) offerEvent(inbox, { _tag: "Message", from, message: message.success })
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

    return Transport.of({
      send: (to, message) => {
        if (!blocked.has(to)) dialers.get(to)?.queue(encodeFrame(encode(message)))
      },
      flush: () => dialers.forEach((dialer) => dialer.flush()),
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
