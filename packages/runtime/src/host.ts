/**
 * One node of a cluster as a process: every service a Layer, composed here.
 * The caller picks the storage and the transport (sqlite and TCP for a real
 * node; Storage.memory and a MemoryNetwork for a whole cluster in a test).
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { Context, Effect, Layer, Logger, References } from "effect"
import type { LogLevel } from "effect"
import { dirname, join } from "node:path"
import { loadClusterFile, timerRanges } from "./cluster-file.ts"
import { AddressBook } from "./address-book.ts"
import { ClientApi } from "./client-api.ts"
import { ControlServer } from "./control-server.ts"
import { Controlled, checkerSteps } from "./controlled.ts"
import { serverTlsLayer } from "./client-tls.ts"
import { clientAuthLayer, PeerKey, secretPath, tokenPath } from "./credentials.ts"
import { ClusterFileError } from "./errors.ts"
import type { StorageError } from "./errors.ts"
import { EventLog } from "./event-log.ts"
import { Faults } from "./faults.ts"
import { Inbox } from "./inbox.ts"
import { NodeMetrics } from "./metrics.ts"
import { entryOf, NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { PeerMessages } from "./peers.ts"
import { Replies } from "./replies.ts"
import { Storage } from "./storage.ts"
import { Timers } from "./timers.ts"
import { tcpTransport } from "./transport/tcp.ts"
import type { Transport } from "./transport.ts"

export interface HostOptions {
  readonly clusterFile: string
  readonly id: NodeId
  /** The spec the caller expects; a cluster file that names another is refused. */
  readonly spec: string
  /** Where `ID.sqlite` lives. */
  readonly dataDir: string
  readonly logLevel: LogLevel.LogLevel
  readonly hostedSpecs: ReadonlyArray<AnyHostedSpec>
  /** The cluster secret; by default `cluster.secret` beside the cluster file. */
  readonly secretFile?: string
  /** The client token, if any; by default `client.token` beside the cluster file. */
  readonly tokenFile?: string
  /** A loopback address: run in controlled mode, stepped through a control channel there (controlled.ts). */
  readonly control?: string
}

/** Who the node is (NodeConfig) and its credentials: the peer key, and what it asks of clients. */
export const nodeConfigLayer = (options: HostOptions) =>
  Layer.unwrap(Effect.gen(function*() {
    const { file, hosted, options: specOptions } = yield* loadClusterFile(options.clusterFile, options.hostedSpecs)
    if (file.spec !== options.spec) {
      return yield* new ClusterFileError({
        path: options.clusterFile,
        message: `cluster file ${options.clusterFile} runs spec "${file.spec}", not "${options.spec}"`
      })
    }
    if (entryOf(file.nodes, options.id) === undefined) {
      return yield* new ClusterFileError({
        path: options.clusterFile,
        message: `cluster file ${options.clusterFile} has no node "${options.id}"; its nodes: ${file.nodes.map((node) => node.id).join(", ")}`
      })
    }
    const config = NodeConfig.of({
      self: options.id,
      nodes: file.nodes,
      clusterFile: options.clusterFile,
      hosted,
      options: specOptions,
      timers: timerRanges(file, hosted),
      variant: file.variant,
      eventLog: file.eventLog
    })
    const dir = dirname(options.clusterFile)
    return Layer.mergeAll(
      Layer.succeed(NodeConfig, config),
      PeerKey.fromFile(options.secretFile ?? secretPath(dir)),
      clientAuthLayer(options.tokenFile ?? tokenPath(dir), file.requireClientToken),
      serverTlsLayer(dir, file.clientTls, options.id)
    )
  }))

/**
 * The node's services over a given config, storage and transport (TCP unless
 * given) and event log (none unless given): the loop, then the client API on top of it.
 */
export const nodeLayer = <E, R, TE = never, TR = never>(
  storage: Layer.Layer<Storage, E, R>,
  transport?: Layer.Layer<Transport, TE, TR>,
  eventLog: Layer.Layer<EventLog, never, NodeConfig> = EventLog.off
) => {
  const links: Layer.Layer<Transport, TE, TR | NodeConfig | PeerKey | NodeMetrics | AddressBook> = transport ?? tcpTransport
  const base = Layer.mergeAll(Inbox.layer, Replies.layer, Faults.layer, storage, links, eventLog).pipe(
    Layer.provideMerge(NodeMetrics.layer),
    Layer.provideMerge(AddressBook.layer)
  )
  const io = Layer.mergeAll(Timers.layer, PeerMessages.layer).pipe(Layer.provideMerge(base))
  return ClientApi.layer.pipe(Layer.provideMerge(Node.layer), Layer.provideMerge(io))
}

/**
 * A node in controlled mode (controlled.ts), stepped through the control
 * channel on `control`: no transport, since the replayer carries every
 * message; the loop, storage and client API as in `nodeLayer`.
 */
export const controlledNodeLayer = <E, R>(storage: Layer.Layer<Storage, E, R>, control: string) => {
  // A replay compares each step with the checker's, so an event log would only repeat it.
  const base = Layer.mergeAll(Inbox.layer, Replies.layer, Faults.layer, storage, EventLog.off).pipe(
    Layer.provideMerge(NodeMetrics.layer),
    Layer.provideMerge(AddressBook.layer)
  )
  const io = Controlled.layer.pipe(Layer.provideMerge(base))
  return Layer.merge(ClientApi.layer, ControlServer.layer(control)).pipe(Layer.provideMerge(Node.layer), Layer.provideMerge(io))
}

/**
 * Runs a node, over TCP unless given another transport, until the process
 * is told to stop or the node loop ends; logs are JSON lines on stdout. A
 * loop that ends fails this with NodeStopped, which closes every socket and
 * ends the process non-zero, so a node never lingers unable to answer.
 */
export const runHost = <TE = never, TR = never, SE = never>(
  options: HostOptions,
  layers: { readonly transport?: Layer.Layer<Transport, TE, TR>; readonly storage?: Layer.Layer<Storage, SE, NodeConfig> } = {}
) =>
  Effect.gen(function*() {
    const storage: Layer.Layer<Storage, SE | StorageError, NodeConfig> = layers.storage ?? Storage.sqlite(join(options.dataDir, `${options.id}.sqlite`))
    const config = nodeConfigLayer(options)
    const eventLog = EventLog.fromConfig(join(options.dataDir, "events"))
    const node = options.control === undefined
      ? Context.get(yield* Layer.build(nodeLayer(storage, layers.transport, eventLog).pipe(Layer.provide(config))), Node)
      : Context.get(yield* Layer.build(controlledNodeLayer(storage, options.control).pipe(checkerSteps, Layer.provide(config))), Node)
    return yield* node.stopped
  }).pipe(
    Effect.scoped,
    Effect.annotateLogs({ node: options.id }),
    Effect.provide(Logger.layer([Logger.consoleJson])),
    Effect.provideService(References.MinimumLogLevel, options.logLevel)
  )
