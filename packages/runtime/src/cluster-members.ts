/**
 * `parley cluster add | remove | transfer`: membership changes and
 * leadership transfer on a running local cluster, for a spec whose client
 * API takes them (its `/v1/admin/members` and `/v1/admin/leader` routes:
 * Raft's). The cluster file is the address book and the spec's log the
 * membership (address-book.ts): `add` writes the new node's entry, starts
 * it, and asks the leader to add it; `remove` asks the leader, and once the
 * removal has committed marks the entry removed and stops the node.
 * Every step is bounded, and a refusal is told as the leader gave it.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { Effect, Result, Schema } from "effect"
import { isDeepStrictEqual } from "node:util"
import { addressOf, oneLine } from "./cluster-file.ts"
import type { ClusterFile, NodeEntry } from "./cluster-file.ts"
import { forgetPid, livePid, logPath, readCluster, writeCluster } from "./cluster-dir.ts"
import { startNode } from "./cluster-control.ts"
import type { Launcher } from "./cluster-control.ts"
import { clusterStatus } from "./cluster-status.ts"
import type { NodeReport } from "./cluster-status.ts"
import { callNodeOf } from "./api-client.ts"
import type { ApiAnswer } from "./api-client.ts"
import { ensureClientCertificates } from "./client-tls-certificates.ts"
import { generatedTls } from "./client-tls-files.ts"
import { ClusterControlError } from "./errors.ts"
import { busyAddresses } from "./ports.ts"

const fail = (message: string) => Effect.fail(new ClusterControlError({ message }))

/** How long a change may take to commit, and a transfer to finish, before the command says it did not. */
export const defaultChangeTimeoutMs = 15_000

const membersOf = (report: NodeReport): ReadonlyArray<string> | undefined => {
  const members = report.status?.["members"]
  return Array.isArray(members) && members.every((member) => typeof member === "string") ? members : undefined
}

const isLeader = (report: NodeReport): boolean => report.status?.["role"] === "leader"

/** The cluster file, refused unless its spec takes membership changes by request. */
const membershipCluster = (dir: string, hosts: ReadonlyArray<AnyHostedSpec>) =>
  Effect.gen(function*() {
    const file = yield* Effect.fromResult(readCluster(dir))
    const hosted = hosts.find((spec) => spec.name === file.spec)
    if (hosted !== undefined && !hosted.api.routes.some((route) => route.path === "/v1/admin/members")) {
      return yield* fail(`${file.spec} has no membership changes; raft does`)
    }
    return file
  })

/** The node to ask first: the one that says it leads, else any that answers; the spec forwards to the leader. */
const askFirst = (reports: ReadonlyArray<NodeReport>): NodeReport | undefined =>
  reports.find(isLeader) ?? reports.find((report) => report.status !== undefined)

/** What the admin routes answer: a change started, a transfer started, or a refusal. */
const ChangeStarted = Schema.Struct({ index: Schema.Int, members: Schema.Array(Schema.String) })
const TransferStarted = Schema.Struct({ transferTo: Schema.String, term: Schema.Int })
const Refusal = Schema.Struct({ error: Schema.String, retry: Schema.optionalKey(Schema.Boolean) })

/**
 * Sends one admin request to the cluster (a follower forwards it to the
 * leader), once: a change is not a session's operation, so it is not sent
 * again. The 202 answer decoded with `started`; a refusal as the leader gave it.
 */
const askLeader = <A>(
  dir: string,
  hosts: ReadonlyArray<AnyHostedSpec>,
  request: { readonly method: string; readonly path: string; readonly body?: unknown },
  started: Schema.Codec<A, unknown>
) =>
  Effect.gen(function*() {
    const { method, path, body } = request
    const reports = yield* clusterStatus(dir, hosts)
    const first = askFirst(reports)
    if (first === undefined) return yield* fail(`no node of the cluster in ${dir} answers`)
    const node = { id: first.id, client: first.client, peer: first.peer }
    const answer: ApiAnswer | undefined = yield* Effect.promise(() =>
      callNodeOf(dir, node, method, `${path}?timeout=5000`, body === undefined ? undefined : JSON.stringify(body), 8000).catch(() => undefined)
    )
    if (answer === undefined) return yield* fail(`${first.id} did not answer ${method} ${path}`)
    const what = `${method} ${path} answered ${answer.status}`
    if (answer.status === 202) {
      const decoded = Schema.decodeUnknownResult(started)(answer.body)
      return Result.isSuccess(decoded) ? decoded.success : yield* fail(`${what} with what does not fit: ${oneLine(decoded.failure.message)}`)
    }
    const refusal = Schema.decodeUnknownResult(Refusal)(answer.body)
    if (Result.isFailure(refusal)) return yield* fail(`${what}: ${JSON.stringify(answer.body)}`)
    const { error, retry } = refusal.success
    if (answer.status === 409) return yield* fail(`the leader refused: ${error}${retry === true ? " (it may take it later: try again)" : ""}`)
    return yield* fail(`${what}: ${error}`)
  })

/** Polls every node's status until `done` says so of them, or `timeoutMs` passes (then `what` is the failure). */
const awaitStatus = <A>(dir: string, hosts: ReadonlyArray<AnyHostedSpec>, timeoutMs: number, what: string, done: (reports: ReadonlyArray<NodeReport>) => A | undefined) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const reports = yield* clusterStatus(dir, hosts)
      const result = done(reports)
      if (result !== undefined) return result
      if (Date.now() > deadline) return yield* fail(`${what} within ${timeoutMs} ms; see \`parley cluster status --dir ${dir}\``)
      yield* Effect.sleep(100)
    }
  })

/** A node that leads with its latest configuration committed, and whose members pass `members`. */
const committedBy = (members: (current: ReadonlyArray<string>) => boolean) => (reports: ReadonlyArray<NodeReport>) =>
  reports.find((report) => {
    const current = membersOf(report)
    return isLeader(report) && current !== undefined && members(current) && report.status?.["membershipPending"] === false
  })

/** The next free loopback ports past every node's: a local cluster's new node serves on them. */
const nextLoopbackEntry = (file: ClusterFile, id: NodeId): NodeEntry => {
  const ports = (pick: (node: NodeEntry) => string) => Math.max(...file.nodes.map((node) => addressOf(pick(node)).port)) + 1
  const host = addressOf(file.nodes[0]!.client).host
  return { id, client: `${host}:${ports((node) => node.client)}`, peer: `${host}:${ports((node) => node.peer)}`, added: true }
}

export interface AddResult {
  readonly node: NodeEntry
  readonly pid: number
  readonly index: number
  readonly members: ReadonlyArray<string>
  /** How far the new node has applied when the command returns: it holds the configuration that adds it. */
  readonly applied: number
}

/**
 * Adds node `id` to the cluster in `dir`: its entry in the cluster file
 * (the next free ports), its process started, then the leader asked. A node
 * that does not start, or a change the leader refuses, is undone: its entry
 * goes and its process stops, and the cluster is as it was.
 */
export const clusterAdd = (dir: string, id: NodeId, launcher: Launcher, hosts: ReadonlyArray<AnyHostedSpec>, timeoutMs = defaultChangeTimeoutMs) =>
  Effect.gen(function*() {
    const file = yield* membershipCluster(dir, hosts)
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) return yield* fail(`node id ${JSON.stringify(id)} must be 1 to 64 letters, digits, '_', '.' or '-'`)
    const existing = file.nodes.find((node) => node.id === id)
    if (existing?.removed === true) return yield* fail(`${id} was removed from this cluster; add the new node under another id`)
    if (existing !== undefined) return yield* fail(`${id} is a node of this cluster already`)
    const entry = nextLoopbackEntry(file, id)
    const busy = yield* busyAddresses([entry.client, entry.peer])
    if (busy.length > 0) return yield* fail(`${busy.join(", ")} ${busy.length === 1 ? "is" : "are"} in use by another process`)
    const grown: ClusterFile = { ...file, nodes: [...file.nodes, entry] }
    writeCluster(dir, grown)
    const undo = Effect.sync(() => {
      stopNow(dir, id)
      writeCluster(dir, { ...file, nodes: (currentNodes(dir) ?? grown.nodes).filter((node) => node.id !== id) })
    })
    // A cluster serving HTTPS with the certificates `cluster up` made gets one for the new node from the same CA.
    if (isDeepStrictEqual(file.clientTls, generatedTls)) yield* ensureClientCertificates(dir, [entry]).pipe(Effect.tapError(() => undo))
    const pid = startNode(dir, grown, id, launcher)
    const started = yield* awaitStatus(dir, hosts, timeoutMs, `${id} did not answer (its log: ${logPath(dir, id)})`, (reports) => {
      const report = reports.find((r) => r.id === id)
      if (report?.pid === undefined) return "exited" as const
      return report.status === undefined ? undefined : ("up" as const)
    }).pipe(Effect.tapError(() => undo))
    if (started === "exited") {
      yield* undo
      return yield* fail(`${id} exited while starting; its log is ${logPath(dir, id)}`)
    }
    const { index } = yield* askLeader(dir, hosts, { method: "POST", path: "/v1/admin/members", body: { node: id } }, ChangeStarted).pipe(
      Effect.tapError(() => undo)
    )
    yield* awaitStatus(dir, hosts, timeoutMs, `the configuration adding ${id} (index ${index}) did not commit`, committedBy((members) => members.includes(id)))
    const caughtUp = yield* awaitStatus(dir, hosts, timeoutMs, `${id} did not catch up to index ${index}`, (reports) => {
      const applied = reports.find((report) => report.id === id)?.status?.["appliedIndex"]
      return typeof applied === "number" && applied >= index ? { applied, members: membersOf(reports.find((r) => r.id === id)!) ?? [] } : undefined
    })
    return { node: entry, pid, index, members: caughtUp.members, applied: caughtUp.applied } satisfies AddResult
  })

/** The cluster file's nodes as they are now, or undefined when it cannot be read. */
const currentNodes = (dir: string): ReadonlyArray<NodeEntry> | undefined => {
  const file = readCluster(dir)
  return file._tag === "Success" ? file.success.nodes : undefined
}

/** SIGTERM; the node's pid file goes, so the cluster counts it down. */
const stopNow = (dir: string, id: NodeId): number | undefined => {
  const pid = livePid(dir, id)
  if (pid !== undefined) process.kill(pid, "SIGTERM")
  forgetPid(dir, id)
  return pid
}

export interface RemoveResult {
  readonly index: number
  readonly members: ReadonlyArray<string>
  /** The removed node's process, stopped; undefined when it was not running. */
  readonly stopped: number | undefined
}

/**
 * Removes node `id`: the leader commits a configuration without it (a
 * leader that removes itself steps down once it has), then its entry is
 * marked removed, so its peers stop dialing it and refuse it, and its
 * process is stopped.
 */
export const clusterRemove = (dir: string, id: NodeId, hosts: ReadonlyArray<AnyHostedSpec>, timeoutMs = defaultChangeTimeoutMs) =>
  Effect.gen(function*() {
    const file = yield* membershipCluster(dir, hosts)
    const entry = file.nodes.find((node) => node.id === id)
    // A member the file does not list (added through the route by hand) can go too: the leader's configuration is the judge.
    const configured = (yield* clusterStatus(dir, hosts)).some((report) => isLeader(report) && membersOf(report)?.includes(id) === true)
    if (entry?.removed === true || (entry === undefined && !configured)) {
      return yield* fail(`no node "${id}" in the cluster; its nodes: ${file.nodes.filter((node) => node.removed !== true).map((node) => node.id).join(", ")}`)
    }
    const { index } = yield* askLeader(dir, hosts, { method: "DELETE", path: `/v1/admin/members/${encodeURIComponent(id)}` }, ChangeStarted)
    const leader = yield* awaitStatus(dir, hosts, timeoutMs, `the configuration removing ${id} (index ${index}) did not commit`,
      committedBy((members) => !members.includes(id)))
    const nodes = currentNodes(dir) ?? file.nodes
    if (entry !== undefined) writeCluster(dir, { ...file, nodes: nodes.map((node) => (node.id === id ? { ...node, removed: true } : node)) })
    const stopped = stopNow(dir, id)
    return { index, members: membersOf(leader) ?? [], stopped } satisfies RemoveResult
  })

export interface TransferResult {
  readonly from: NodeId | undefined
  readonly to: NodeId
  readonly term: number
  readonly tookMs: number
}

/** Hands leadership to member `id` (TimeoutNow) and waits until it leads, or says it did not within `timeoutMs`. */
export const clusterTransfer = (dir: string, id: NodeId, hosts: ReadonlyArray<AnyHostedSpec>, timeoutMs = defaultChangeTimeoutMs) =>
  Effect.gen(function*() {
    const file = yield* membershipCluster(dir, hosts)
    const entry = file.nodes.find((node) => node.id === id)
    if (entry === undefined || entry.removed === true) return yield* fail(`no node "${id}" in the cluster`)
    const before = (yield* clusterStatus(dir, hosts)).find(isLeader)
    if (before?.id === id) return { from: id, to: id, term: Number(before.status?.["term"]), tookMs: 0 } satisfies TransferResult
    const started = Date.now()
    const { term } = yield* askLeader(dir, hosts, { method: "POST", path: "/v1/admin/leader", body: { node: id } }, TransferStarted)
    const leader = yield* awaitStatus(dir, hosts, timeoutMs, `${id} did not take leadership (the transfer is abandoned after an election timeout)`,
      (reports) => reports.find((report) => report.id === id && isLeader(report) && Number(report.status?.["term"]) > term))
    return { from: before?.id, to: id, term: Number(leader.status?.["term"]), tookMs: Date.now() - started } satisfies TransferResult
  })
