/**
 * Frames between nodes over TCP. Each node dials every peer and sends on
 * that connection only, so every link is one ordered stream. A connection
 * starts with a Hello frame that names the sender; every later frame is one
 * peer frame (length-prefixed JSON, frame.ts), decoded with the spec's
 * Schemas. A frame that does not decode is logged with the peer's address
 * and the connection is closed; the node goes on. Sends on a link that is
 * down are dropped: queueing for a dead peer would only grow memory.
 */
import type { NodeId } from "@parley/core"
import { Effect, Layer, Result, Schema } from "effect"
import * as net from "node:net"
import { addressOf } from "../cluster-file.ts"
import { ListenError } from "../errors.ts"
import { encodeFrame, FrameReader, maxFrameBytes, parseFrame } from "../frame.ts"
import { entryOf, NodeConfig } from "../node-config.ts"
import { peerFrameJson, Transport } from "../transport.ts"
import type { PeerFrame } from "../transport.ts"

export const PeerHello = Schema.TaggedStruct("Hello", { from: Schema.String })
const decodeHello = Schema.decodeUnknownResult(PeerHello)

type Receive = (from: NodeId, frame: PeerFrame) => void
type Log = (effect: Effect.Effect<void>) => void

export const tcpTransport = Layer.effect(Transport, Effect.gen(function*() {
  const config = yield* NodeConfig
  return Transport.of({
    open: (receive) =>
      Effect.gen(function*() {
        const context = yield* Effect.context<never>()
        const log: Log = (effect) => Effect.runForkWith(context)(effect)
        yield* listen(config, acceptor(config, receive, log))
        return yield* dialPeers(config)
      })
  })
}))

/** Reads one incoming connection: a Hello naming a peer, then frames from it. */
const acceptor = (config: NodeConfig["Service"], receive: Receive, log: Log) => {
  const known = new Set(config.nodes.map((node) => node.id))
  const frames = peerFrameJson(config.hosted)
  return (socket: net.Socket): void => {
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
    const read = (bytes: Buffer): void => {
      const parsed = parseFrame(bytes)
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
      const frame = frames.decode(parsed.value)
      if (Result.isFailure(frame)) return reject(frame.failure)
      receive(from, frame.success)
    }
    socket.on("data", (chunk: Buffer) => {
      if (rejected) return
      const chunkRead = reader.push(chunk)
      if (chunkRead._tag === "TooLarge") return reject(`frame length ${chunkRead.bytes} exceeds the limit of ${maxFrameBytes} bytes`)
      for (const bytes of chunkRead.frames) {
        read(bytes)
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
}

/** Listens on this node's peer address until the scope closes, then closes every accepted connection. */
const listen = (config: NodeConfig["Service"], accept: (socket: net.Socket) => void) =>
  Effect.gen(function*() {
    const server = net.createServer(accept)
    const own = addressOf(entryOf(config.nodes, config.self)!.peer)
    const sockets = new Set<net.Socket>()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    yield* Effect.acquireRelease(
      Effect.callback<void, ListenError>((resume) => {
        server.once("error", (error) => resume(Effect.fail(new ListenError({ address: `${own.host}:${own.port}`, message: error.message }))))
        server.listen({ host: own.host, port: own.port }, () => resume(Effect.void))
      }),
      () =>
        Effect.sync(() => {
          server.close()
          sockets.forEach((socket) => socket.destroy())
        })
    )
  })

/** One Dialer per peer, closed with the scope. */
const dialPeers = (config: NodeConfig["Service"]) =>
  Effect.gen(function*() {
    const dialers = new Map<NodeId, Dialer>()
    const hello = encodeFrame({ _tag: "Hello", from: config.self })
    for (const node of config.nodes) {
      if (node.id !== config.self) dialers.set(node.id, new Dialer(addressOf(node.peer), hello))
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => dialers.forEach((dialer) => dialer.close())))
    const frames = peerFrameJson(config.hosted)
    return {
      send: (to: NodeId, frame: PeerFrame) => dialers.get(to)?.queue(encodeFrame(frames.encode(frame))),
      flush: () => dialers.forEach((dialer) => dialer.flush())
    }
  })

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
