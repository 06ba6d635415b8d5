/**
 * One node of a cluster as a process: every service a Layer, composed here.
 * A test swaps any of them (Storage.memory for sqlite, say) by building
 * `nodeLayer` with its own.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { Effect, Layer, Logger, References } from "effect"
import type { LogLevel } from "effect"
import { join } from "node:path"
import { loadClusterFile, timerRanges } from "./cluster-file.ts"
import { ClientApi } from "./client-api.ts"
import { ClusterFileError } from "./errors.ts"
import { Inbox } from "./inbox.ts"
import { entryOf, NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { Replies } from "./replies.ts"
import { Storage } from "./storage.ts"
import { Timers } from "./timers.ts"
import { Transport } from "./transport.ts"

export interface HostOptions {
  readonly clusterFile: string
  readonly id: NodeId
  /** The spec the caller expects; a cluster file that names another is refused. */
  readonly spec: string
  /** Where `ID.sqlite` lives. */
  readonly dataDir: string
  readonly logLevel: LogLevel.LogLevel
  readonly hostedSpecs: ReadonlyArray<AnyHostedSpec>
}

export const nodeConfigLayer = (options: HostOptions) =>
  Layer.effect(NodeConfig, Effect.gen(function*() {
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
    return NodeConfig.of({ self: options.id, nodes: file.nodes, hosted, options: specOptions, timers: timerRanges(file, hosted) })
  }))

/** The node's services over a given config and storage: the loop, then the client API on top of it. */
export const nodeLayer = <E, R>(storage: Layer.Layer<Storage, E, R>) => {
  const base = Layer.mergeAll(Inbox.layer, Replies.layer, storage)
  const io = Layer.mergeAll(Timers.layer, Transport.tcp).pipe(Layer.provideMerge(base))
  return ClientApi.layer.pipe(Layer.provideMerge(Node.layer), Layer.provideMerge(io))
}

/** Runs a node until the process is told to stop; logs are JSON lines on stdout. */
export const runHost = (options: HostOptions) =>
  Layer.launch(
    nodeLayer(Storage.sqlite(join(options.dataDir, `${options.id}.sqlite`))).pipe(Layer.provide(nodeConfigLayer(options)))
  ).pipe(
    Effect.annotateLogs({ node: options.id }),
    Effect.provide(Logger.layer([Logger.consoleJson])),
    Effect.provideService(References.MinimumLogLevel, options.logLevel)
  )
