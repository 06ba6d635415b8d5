/**
 * `parley cluster`: local clusters of node processes. Each node runs
 * detached, logging to its own file, so a cluster outlives the command that
 * started it; the directory (cluster-dir.ts) is the only record of it.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs"
import { loopbackNodes } from "./cluster-file.ts"
import type { ClusterFile, NodeEntry } from "./cluster-file.ts"
import { clusterFilePath, forgetPid, livePid, logPath, parsePartition, pidPath, readCluster, readPartition, writePartition } from "./cluster-dir.ts"
import type { Partition } from "./cluster-dir.ts"
import { ensureClientCertificates } from "./client-tls-certificates.ts"
import { generatedTls } from "./client-tls-files.ts"
import { ensureCredentials } from "./credentials.ts"
import { defaultEventLog } from "./event-log-format.ts"
import { callNodeOf, clusterAccess } from "./api-client.ts"
import type { NoAnswer } from "./no-answer.ts"
import { busyAddresses } from "./ports.ts"
import { awaitReady, clusterIn, controlFailure, exitedMessage, reportOf } from "./cluster-status.ts"

/** How to run `parley` again: the Node binary and the arguments before `node --spec ...`. */
export interface Launcher {
  readonly executable: string
  readonly args: ReadonlyArray<string>
}

const fail = controlFailure
const cluster = clusterIn

const entry = (file: ClusterFile, id: NodeId) => {
  const node = file.nodes.find((node) => node.id === id)
  return node === undefined ? fail(`no node "${id}"; the nodes: ${file.nodes.map((node) => node.id).join(", ")}`) : Effect.succeed(node)
}

/** Starts node `id` of the cluster in `dir`, detached, logging to its file; `nodeArgs` go after `parley node`'s own. Its pid. */
export const startNode = (dir: string, file: ClusterFile, id: NodeId, launcher: Launcher, nodeArgs: ReadonlyArray<string> = []): number => {
  const log = openSync(logPath(dir, id), "a")
  const child = spawn(launcher.executable, [...launcher.args, "node", "--spec", file.spec, "--id", id, "--cluster", clusterFilePath(dir), ...nodeArgs], {
    detached: true,
    stdio: ["ignore", log, log]
  })
  closeSync(log)
  child.unref()
  writeFileSync(pidPath(dir, id), `${child.pid}\n`)
  return child.pid!
}

export interface UpOptions {
  readonly spec: string
  /** How many nodes; for a spec with a layout, what its layout counts (2pc: participants, beside the coordinator). */
  readonly nodes: number
  readonly dir: string
  /** Node i (from 1) serves clients on basePort + i and peers on basePort + 100 + i. */
  readonly basePort: number
  readonly launcher: Launcher
  readonly options?: Readonly<Record<string, unknown>>
  readonly timers?: ClusterFile["timers"]
  /** Clients must send the token even on loopback. */
  readonly requireClientToken?: boolean
  /** A known-buggy variant of the spec, for demonstration. */
  readonly variant?: string
  /** The specs this build hosts: the one named `spec` says when the cluster is ready and decodes its statuses; absent, a majority-agreed leader. */
  readonly hosts?: ReadonlyArray<AnyHostedSpec>
  /** Whether every node logs its reducer's steps to DIR/events for `parley validate`; by default it does. */
  readonly eventLog?: boolean
  /** The address each node listens on, in order (a namespace network's); absent, 127.0.0.1. Such addresses are taken as free. */
  readonly nodeHosts?: ReadonlyArray<string>
  /** Every node serves its client API over HTTPS, with certificates made in DIR/tls (client-tls-certificates.ts). */
  readonly clientTls?: boolean
}

/** A loopback node entry moved to `host`, its ports kept. */
const onHost = (node: NodeEntry, host: string | undefined): NodeEntry =>
  host === undefined ? node : { ...node, client: node.client.replace("127.0.0.1:", `${host}:`), peer: node.peer.replace("127.0.0.1:", `${host}:`) }

export const clusterUp = (options: UpOptions) =>
  Effect.gen(function*() {
    // A spec whose nodes play roles names them (a coordinator and its participants); `nodes` counts what it counts.
    const layout = options.hosts?.find((hosted) => hosted.name === options.spec)?.layout
    if (options.nodes < 1 || options.nodes > 9) return yield* fail(`--${layout?.counts ?? "nodes"} must be from 1 to 9, got ${options.nodes}`)
    const ids = layout?.ids(options.nodes)
    const count = ids?.length ?? options.nodes
    if (options.basePort < 1024 || options.basePort + 100 + count > 65535) {
      return yield* fail(`--base-port must leave room for ports ${options.basePort + 1} to ${options.basePort + 100 + count} (1024 to 65535)`)
    }
    mkdirSync(options.dir, { recursive: true })
    const running = readCluster(options.dir)
    if (running._tag === "Success" && running.success.nodes.some((node) => livePid(options.dir, node.id) !== undefined)) {
      return yield* fail(`a cluster is already running in ${options.dir}; stop it with \`parley cluster down --dir ${options.dir}\``)
    }
    const file: ClusterFile = {
      spec: options.spec,
      nodes: loopbackNodes(options.basePort, count, ids).map((node, i) => onHost(node, options.nodeHosts?.[i])),
      timers: options.timers ?? {},
      options: options.options ?? {},
      requireClientToken: options.requireClientToken ?? false,
      ...(options.variant === undefined ? {} : { variant: options.variant }),
      ...(options.eventLog === false ? {} : { eventLog: defaultEventLog }),
      ...(options.clientTls === true ? { clientTls: generatedTls } : {})
    }
    const busy = options.nodeHosts === undefined ? yield* busyAddresses(file.nodes.flatMap((node) => [node.client, node.peer])) : []
    if (busy.length > 0) return yield* fail(`${busy.join(", ")} ${busy.length === 1 ? "is" : "are"} in use by another process; choose another --base-port`)
    yield* ensureCredentials(options.dir)
    if (options.clientTls === true) yield* ensureClientCertificates(options.dir, file.nodes)
    writeFileSync(clusterFilePath(options.dir), JSON.stringify(file, null, 2) + "\n")
    writePartition(options.dir, {})
    for (const node of file.nodes) startNode(options.dir, file, node.id, options.launcher)
    return yield* awaitReady(options.dir, options.hosts ?? [], 30_000)
  })

/** `kill -9`: the process gets no chance to flush or say goodbye, as in a power cut. */
export const clusterKill = (dir: string, id: NodeId) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    yield* entry(file, id)
    const pid = livePid(dir, id)
    if (pid === undefined) return yield* fail(`node ${id} is not running`)
    process.kill(pid, "SIGKILL")
    forgetPid(dir, id)
    return pid
  })

const postPartition = (dir: string, node: NodeEntry, blocked: ReadonlyArray<NodeId>) =>
  Effect.promise(() => callNodeOf(dir, node, "POST", "/v1/admin/partition", JSON.stringify({ blocked }), 2000).catch(() => undefined))

/** Starts a node that is down, or kills and starts one that runs; the partition in force applies to it again. */
export const clusterRestart = (dir: string, id: NodeId, launcher: Launcher) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const node = yield* entry(file, id)
    if (node.removed === true) return yield* fail(`node ${id} was removed from the cluster (\`parley cluster remove\`); it does not run again`)
    const pid = livePid(dir, id)
    if (pid !== undefined) process.kill(pid, "SIGKILL")
    const started = startNode(dir, file, id, launcher)
    const blocked = readPartition(dir)[id] ?? []
    const deadline = Date.now() + 15_000
    const access = clusterAccess(dir)
    let why: NoAnswer | undefined
    while (Date.now() < deadline) {
      const report = yield* reportOf(dir, file, node, undefined, access)
      if (report.pid === undefined) return yield* fail(exitedMessage(dir, id))
      if (report.status !== undefined) {
        if (blocked.length > 0) yield* postPartition(dir, node, blocked)
        return started
      }
      why = report.noAnswer
      yield* Effect.sleep(100)
    }
    return yield* fail(`node ${id} (pid ${started}) did not answer within 15 s${why === undefined ? "" : ` (${why.reason})`}; see ${logPath(dir, id)}`)
  })

const applyPartition = (dir: string, file: ClusterFile, partition: Partition) =>
  Effect.gen(function*() {
    writePartition(dir, partition)
    const unreachable: Array<NodeId> = []
    for (const node of file.nodes) {
      if (livePid(dir, node.id) === undefined) continue
      const answer = yield* postPartition(dir, node, partition[node.id] ?? [])
      if (answer?.status !== 200) unreachable.push(node.id)
    }
    return unreachable
  })

export const clusterPartition = (dir: string, spec: string) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const partition = yield* Effect.fromResult(parsePartition(spec, file.nodes))
    return yield* applyPartition(dir, file, partition)
  })

export const clusterHeal = (dir: string) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    return yield* applyPartition(dir, file, {})
  })

/**
 * Holds what `from` sends to each of `to` until released (`to` empty releases
 * every link of `from`, its held frames going out in order). Only the running
 * process keeps a hold: a restarted node holds nothing, and what it held is lost.
 */
export const clusterHold = (dir: string, from: NodeId, to: ReadonlyArray<NodeId>) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const node = yield* entry(file, from)
    for (const id of to) yield* entry(file, id)
    if (livePid(dir, from) === undefined) return yield* fail(`node ${from} is not running`)
    const answer = yield* Effect.promise(() =>
      callNodeOf(dir, node, "POST", "/v1/admin/hold", JSON.stringify({ held: to }), 2000).catch(() => undefined)
    )
    if (answer?.status !== 200) return yield* fail(`node ${from} did not take the hold: ${answer === undefined ? "no answer" : JSON.stringify(answer.body)}`)
  })

/** SIGTERM to every node, SIGKILL to any still running after five seconds. */
export const clusterDown = (dir: string) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const stopped: Array<NodeId> = []
    for (const node of file.nodes) {
      const pid = livePid(dir, node.id)
      if (pid === undefined) continue
      process.kill(pid, "SIGTERM")
      stopped.push(node.id)
    }
    const deadline = Date.now() + 5000
    while (file.nodes.some((node) => livePid(dir, node.id) !== undefined) && Date.now() < deadline) yield* Effect.sleep(50)
    for (const node of file.nodes) {
      const pid = livePid(dir, node.id)
      if (pid !== undefined) process.kill(pid, "SIGKILL")
      forgetPid(dir, node.id)
    }
    writePartition(dir, {})
    return stopped
  })
