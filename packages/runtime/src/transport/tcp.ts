/**
 * Frames between nodes over TCP, each link a TLS 1.3 connection keyed by the
 * cluster's pre-shared key (credentials.ts). Each node dials every peer and
 * sends on that connection only, so every link is one ordered stream. The
 * handshake is the proof of membership, both ways: the dialling node names
 * itself as the PSK identity, and neither side finishes the handshake
 * without the key, so no frame from a process without the cluster secret is
 * ever read. A refused connection is logged with its address and the node
 * goes on. Every later frame is one peer frame (length-prefixed JSON,
 * frame.ts) decoded with the spec's Schemas; one that does not decode is
 * logged and the connection closed. Sends on a link that is down are
 * dropped: queueing for a dead peer would only grow memory.
 */
import type { NodeId } from "@parley/core"
import { Effect, Layer, Redacted, Result } from "effect"
import type * as net from "node:net"
import * as tls from "node:tls"
import { AddressBook } from "../address-book.ts"
import { addressOf } from "../cluster-file.ts"
import type { NodeEntry } from "../cluster-file.ts"
import { PeerKey } from "../credentials.ts"
import { ListenError } from "../errors.ts"
import { encodeFrameText, FrameReader, maxFrameBytes } from "../frame.ts"
import { NodeMetrics } from "../metrics.ts"
import { entryOf, NodeConfig } from "../node-config.ts"
import { peerFrameJson, Transport } from "../transport.ts"
import { Dialer, tlsVersion } from "./dialer.ts"
import type { PeerFrame } from "../transport.ts"

type Receive = (from: NodeId, frame: PeerFrame) => void
type Log = (effect: Effect.Effect<void>) => void

/** How long a connection may take to prove itself before it is dropped. */
const handshakeTimeoutMs = 5000


export const tcpTransport = Layer.effect(Transport, Effect.gen(function*() {
  const config = yield* NodeConfig
  const book = yield* AddressBook
  const key = Redacted.value((yield* PeerKey).key)
  const metrics = yield* NodeMetrics
  return Transport.of({
    open: (receive) =>
      Effect.gen(function*() {
        const context = yield* Effect.context<never>()
        const log: Log = (effect) => Effect.runForkWith(context)(effect)
        const accept = acceptor(config, metrics, receive, log)
        // A peer that connects to this node is up: the link to it stops waiting out its backoff (a restarted
        // node hears its leader at once, not up to a second later).
        let peerIsUp = (_from: NodeId): void => {}
        yield* listen(config, book, key, log, metrics, (socket, from) => {
          accept(socket, from)
          peerIsUp(from)
        })
        const links = yield* dialPeers(config, book, key, metrics, log)
        peerIsUp = links.peerIsUp
        return links
      })
  })
}))

/** Reads one authenticated connection from `from`: frames only, each decoded with the spec's Schemas. */
const acceptor = (config: NodeConfig["Service"], metrics: NodeMetrics["Service"], receive: Receive, log: Log) => {
  const frames = peerFrameJson(config.hosted)
  return (socket: tls.TLSSocket, from: NodeId): void => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`
    const reader = new FrameReader()
    let rejected = false
    const reject = (reason: string): void => {
      rejected = true
      log(Effect.logWarning("dropped a bad frame and closed the connection").pipe(Effect.annotateLogs({ peer, peerNode: from, reason })))
      socket.destroy()
    }
    const read = (bytes: Buffer): void => {
      const frame = frames.read(bytes.toString("utf8"))
      if (Result.isFailure(frame)) return reject(frame.failure)
      receive(from, frame.success)
    }
    socket.on("data", (chunk: Buffer) => {
      if (rejected) return
      metrics.received(from, chunk.length)
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
          Effect.annotateLogs({ peer, peerNode: from, bytes: reader.buffered })
        ))
      }
    })
    socket.on("error", () => socket.destroy())
  }
}

/** A handshake failure in words: above all, whether the other side lacks the key. */
const handshakeFailure = (error: NodeJS.ErrnoException): string => {
  if (error.code === "ERR_SSL_BINDER_DOES_NOT_VERIFY") return "the peer does not hold the cluster secret (its key does not verify)"
  if (error.code === "ERR_SSL_WRONG_VERSION_NUMBER" || error.code === "ERR_SSL_HTTP_REQUEST" || error.code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") {
    return `not a TLS handshake (${error.code}): peers must prove the cluster secret before sending anything`
  }
  return `TLS handshake failed: ${error.code ?? error.message}`
}

/** Listens on this node's peer address until the scope closes, then closes every accepted connection. */
const listen = (
  config: NodeConfig["Service"],
  book: AddressBook["Service"],
  key: Buffer,
  log: Log,
  metrics: NodeMetrics["Service"],
  accept: (socket: tls.TLSSocket, from: NodeId) => void
) =>
  Effect.gen(function*() {
    // The address book of the moment: a node added since this one started is taken, one removed refused.
    const isPeer = (identity: string): boolean => identity !== config.self && book.nodes().some((node) => node.id === identity)
    /** Each handshake's claimed identity, and why it was refused when it was. */
    const identities = new WeakMap<tls.TLSSocket, NodeId>()
    const refusals = new WeakMap<tls.TLSSocket, string>()
    const server = tls.createServer({
      ...tlsVersion,
      handshakeTimeout: handshakeTimeoutMs,
      pskCallback: (socket, identity) => {
        if (!isPeer(identity)) {
          refusals.set(socket, `the peer calls itself "${identity}", which is not another node in the cluster file (or was removed)`)
          return null
        }
        identities.set(socket, identity)
        return key
      }
    })
    /** Each peer's accepted connections, so that a peer the book drops is cut off, not only refused next time. */
    const acceptedFrom = new Map<NodeId, Set<tls.TLSSocket>>()
    server.on("secureConnection", (socket: tls.TLSSocket) => {
      const from = identities.get(socket)
      if (from === undefined) return void socket.destroy()
      const sockets = acceptedFrom.get(from) ?? new Set()
      acceptedFrom.set(from, sockets.add(socket))
      socket.on("close", () => sockets.delete(socket))
      accept(socket, from)
    })
    book.subscribe((nodes) => {
      for (const [id, sockets] of acceptedFrom) {
        if (nodes.some((node) => node.id === id) || sockets.size === 0) continue
        log(Effect.logInfo("closed the connections of a peer no longer in the cluster file").pipe(Effect.annotateLogs({ peerNode: id })))
        sockets.forEach((socket) => socket.destroy())
      }
    })
    server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      const reason = refusals.get(socket) ?? handshakeFailure(error)
      metrics.refused()
      log(Effect.logWarning("refused a peer connection").pipe(
        Effect.annotateLogs({ peer: `${socket.remoteAddress}:${socket.remotePort}`, reason })
      ))
      socket.destroy()
    })
    const own = addressOf(entryOf(config.nodes, config.self)!.peer)
    const sockets = new Set<net.Socket>()
    server.on("connection", (socket: net.Socket) => {
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

/** One Dialer per peer in the address book, kept in step with it, all closed with the scope. */
const dialPeers = (config: NodeConfig["Service"], book: AddressBook["Service"], key: Buffer, metrics: NodeMetrics["Service"], log: Log) =>
  Effect.gen(function*() {
    const dialers = new Map<NodeId, { readonly peer: string; readonly dialer: Dialer }>()
    const dial = (node: NodeEntry): Dialer => {
      const refused = (reason: string) =>
        log(Effect.logWarning("a peer refused this node's connection").pipe(Effect.annotateLogs({ peerNode: node.id, peer: node.peer, reason })))
      return new Dialer(addressOf(node.peer), { identity: config.self, key }, (bytes) => metrics.sent(node.id, bytes), refused)
    }
    /** A dialer for each peer the book lists, at its address; a peer gone or moved loses its old one. */
    let closed = false
    const follow = (nodes: ReadonlyArray<NodeEntry>): void => {
      if (closed) return
      for (const [id, { peer, dialer }] of dialers) {
        if (nodes.some((node) => node.id === id && node.peer === peer)) continue
        dialer.close()
        dialers.delete(id)
      }
      for (const node of nodes) {
        if (node.id !== config.self && !dialers.has(node.id)) dialers.set(node.id, { peer: node.peer, dialer: dial(node) })
      }
    }
    follow(book.nodes())
    book.subscribe(follow)
    yield* Effect.addFinalizer(() => Effect.sync(() => {
      // A change heard after the scope closed dials nothing.
      closed = true
      dialers.forEach(({ dialer }) => dialer.close())
      dialers.clear()
    }))
    const frames = peerFrameJson(config.hosted)
    return {
      send: (to: NodeId, frame: PeerFrame) => dialers.get(to)?.dialer.queue(encodeFrameText(frames.text(frame))),
      flush: () => dialers.forEach(({ dialer }) => dialer.flush()),
      peerIsUp: (from: NodeId) => dialers.get(from)?.dialer.redialNow()
    }
  })
