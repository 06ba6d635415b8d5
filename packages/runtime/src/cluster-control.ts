/**
 * `parley cluster`: local clusters of node processes. Each node runs
 * detached, logging to its own file, so a cluster outlives the command that
 * started it; the directory (cluster-dir.ts) is the only record of it.
 */
import { leaderAgreed, majorityLeader } from "@parley/core"
import type { AnyHostedSpec, NodeId, Readiness } from "@parley/core"
import { Effect, Result, Schema } from "effect"
import { spawn } from "node:child_process"
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs"
import { loopbackNodes, oneLine } from "./cluster-file.ts"
import type { ClusterFile, NodeEntry } from "./cluster-file.ts"
import { clusterFilePath, forgetPid, livePid, logPath, parsePartition, pidPath, readCluster, readPartition, writePartition } from "./cluster-dir.ts"
import type { Partition } from "./cluster-dir.ts"
import { ensureClientCertificates } from "./client-tls-certificates.ts"
import { generatedTls } from "./client-tls-files.ts"
import { ensureCredentials } from "./credentials.ts"
import { defaultEventLog } from "./event-log-format.ts"
import { ClusterControlError } from "./errors.ts"
import { bearer, callContext, callNode, callNodeOf, clusterAccess } from "./api-client.ts"
import type { ApiAnswer, ClusterAccess } from "./api-client.ts"
import { noAnswerOfError, noAnswerOfStatus } from "./no-answer.ts"
import type { NoAnswer } from "./no-answer.ts"
import { busyAddresses } from "./ports.ts"

/** How to run `parley` again: the Node binary and the arguments before `node --spec ...`. */
export interface Launcher {
  readonly executable: string
  readonly args: ReadonlyArray<string>
}

/** A node's answer to GET /v1/status: its id, the nodes it blocks, and the fields its spec's status declares. */
export interface HostStatus {
  readonly id: NodeId
  readonly blocked: ReadonlyArray<NodeId>
  readonly [field: string]: unknown
}

export interface NodeReport {
  readonly id: NodeId
  readonly pid: number | undefined
  readonly client: string
  /** The client API's URL: https when the cluster serves it over TLS. */
  readonly url: string
  readonly peer: string
  /** The node's own answer to GET /v1/status; undefined when it is down, did not answer, or answered what does not decode. */
  readonly status: HostStatus | undefined
  /** Why a running node's status is undefined: no connection, no answer in time, its certificate, the token, an HTTP error, or a status that does not decode. */
  readonly noAnswer?: NoAnswer
  /** Removed from the cluster by a membership change (`parley cluster remove`). */
  readonly removed?: true
}

const fail = (message: string) => Effect.fail(new ClusterControlError({ message }))

const cluster = (dir: string) => Effect.fromResult(readCluster(dir))

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

/** Names a node that exited while it was expected to start, with the last thing it logged: usually why. */
const exitedMessage = (dir: string, id: NodeId): string => {
  const lines = existsSync(logPath(dir, id)) ? readFileSync(logPath(dir, id), "utf8").trim().split("\n") : []
  const last = lines.at(-1)
  return `node ${id} exited while starting${last === undefined || last === "" ? "" : `: ${last}`}; its log is ${logPath(dir, id)}`
}

/** The host's own status fields; the rest are the spec's, kept as they came unless the spec's Schema is known. */
const HostFields = Schema.StructWithRest(Schema.Struct({ id: Schema.String, blocked: Schema.Array(Schema.String) }), [
  Schema.Record(Schema.String, Schema.Unknown)
])
const decodeHostFields = Schema.decodeUnknownResult(HostFields)

/**
 * A status answer decoded: the host's fields, and the spec's by its status
 * Schema when the spec is one this build hosts (else taken as they came).
 */
const decodeStatus = (body: unknown, hosted: AnyHostedSpec | undefined): Result.Result<HostStatus, string> => {
  const host = decodeHostFields(body)
  if (Result.isFailure(host)) return Result.fail(`its status does not fit {id, blocked}: ${oneLine(host.failure.message)}`)
  if (hosted === undefined) return Result.succeed(host.success)
  const fields = Schema.decodeUnknownResult(hosted.api.status.schema)(body)
  if (Result.isFailure(fields)) return Result.fail(`its status does not fit ${hosted.name}'s: ${oneLine(fields.failure.message)}`)
  return Result.succeed({ ...fields.success, ...host.success })
}

/** The hosted spec a cluster file names, among those this build hosts. */
const hostedOf = (file: ClusterFile, hosts: ReadonlyArray<AnyHostedSpec>) => hosts.find((hosted) => hosted.name === file.spec)

/** How long a status may take: a node that answers nothing in a second is reported as not answering. */
const statusTimeoutMs = 1000

const reportOf = (dir: string, file: ClusterFile, node: NodeEntry, hosted: AnyHostedSpec | undefined, access: Result.Result<ClusterAccess, ClusterControlError>) =>
  Effect.promise(async (): Promise<NodeReport> => {
    const pid = livePid(dir, node.id)
    const url = `${file.clientTls === undefined ? "http" : "https"}://${node.client}`
    const base = { id: node.id, pid, client: node.client, url, peer: node.peer, ...(node.removed === true ? { removed: true as const } : {}) }
    if (pid === undefined) return { ...base, status: undefined }
    if (Result.isFailure(access)) return { ...base, status: undefined, noAnswer: { kind: "credentials", reason: access.failure.message } }
    const context = callContext(node, access.success, statusTimeoutMs, logPath(dir, node.id))
    let answer: ApiAnswer
    try {
      answer = await callNode(node, "GET", "/v1/status", undefined, statusTimeoutMs, bearer(access.success.token), access.success.trust)
    } catch (error) {
      return { ...base, status: undefined, noAnswer: noAnswerOfError(error, context) }
    }
    if (answer.status !== 200) return { ...base, status: undefined, noAnswer: noAnswerOfStatus(answer.status, answer.body, context) }
    const status = decodeStatus(answer.body, hosted)
    return Result.isSuccess(status) ? { ...base, status: status.success } : { ...base, status: undefined, noAnswer: { kind: "bad-status", reason: status.failure } }
  })

const reportsOf = (dir: string, file: ClusterFile, hosts: ReadonlyArray<AnyHostedSpec>) =>
  Effect.suspend(() => {
    const access = clusterAccess(dir)
    return Effect.forEach(file.nodes, (node) => reportOf(dir, file, node, hostedOf(file, hosts), access), { concurrency: "unbounded" })
  })

/** Every node's process and status; `hosts` are the specs this build hosts, whose status Schemas decode the answers. */
export const clusterStatus = (dir: string, hosts: ReadonlyArray<AnyHostedSpec> = []) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    return yield* reportsOf(dir, file, hosts)
  })

/** A node that names itself leader and that a majority of the nodes name too, in the same term; undefined when there is none. */
export const agreedLeader = (reports: ReadonlyArray<NodeReport>): NodeReport | undefined => majorityLeader(reports)

/**
 * Polls until `ready` says so of the nodes' statuses (and, with `everyNode`,
 * every node answers), or `timeoutMs` passes; with `everyNode`, a node whose
 * process exits ends the wait at once.
 */
const awaitReadiness = (
  dir: string,
  hosts: ReadonlyArray<AnyHostedSpec>,
  ready: (reports: ReadonlyArray<NodeReport>) => Readiness,
  timeoutMs: number,
  everyNode: boolean
) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const deadline = Date.now() + timeoutMs
    while (true) {
      // A node removed by a membership change neither counts towards a majority nor is waited for.
      const reports = (yield* reportsOf(dir, file, hosts)).filter((report) => report.removed !== true)
      const readiness = ready(reports)
      const silent = everyNode ? reports.filter((report) => report.status === undefined) : []
      if (readiness._tag === "Ready" && silent.length === 0) return { summary: readiness.summary, reports }
      const exited = silent.find((report) => report.pid === undefined)
      if (exited !== undefined) return yield* fail(exitedMessage(dir, exited.id))
      if (Date.now() > deadline) {
        const problems = silent.flatMap((report) => (report.noAnswer === undefined ? [] : [`${report.id}: ${report.noAnswer.reason}`]))
        const what = readiness._tag === "Waiting" ? readiness.reason : `no answer from ${silent.map((report) => report.id).join(", ")}`
        return yield* fail(
          `${what} within ${timeoutMs} ms${problems.length === 0 ? "" : ` (${problems.join("; ")})`}; ` +
            `the nodes' logs are ${reports.map((report) => logPath(dir, report.id)).join(", ")}`
        )
      }
      yield* Effect.sleep(100)
    }
  })

/** Polls until every node answers and the cluster is ready as its spec tells it (by default: a majority-agreed leader). */
export const awaitReady = (dir: string, hosts: ReadonlyArray<AnyHostedSpec>, timeoutMs: number) =>
  Effect.gen(function*() {
    const file = yield* cluster(dir)
    const ready = hostedOf(file, hosts)?.api.ready ?? leaderAgreed
    return yield* awaitReadiness(dir, hosts, ready, timeoutMs, true)
  })

/** Polls until a majority agrees on a leader (and, with `everyNode`, every node answers), or `timeoutMs` passes. */
export const awaitLeader = (dir: string, timeoutMs: number, everyNode = false) =>
  awaitReadiness(dir, [], leaderAgreed, timeoutMs, everyNode).pipe(
    Effect.map(({ reports }) => ({ leader: agreedLeader(reports)!, reports }))
  )

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
