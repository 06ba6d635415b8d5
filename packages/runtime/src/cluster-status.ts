/**
 * What a local cluster's nodes say of themselves: each node's process and
 * its answer to `GET /v1/status` (decoded by the host's fields and, for a
 * spec this build hosts, by the spec's status Schema), or why it gave none;
 * and the waits for a cluster to be ready (`parley cluster up`, `restart`,
 * the benches and tests).
 */
import { leaderAgreed, majorityLeader } from "@parley/core"
import type { AnyHostedSpec, NodeId, Readiness } from "@parley/core"
import { Effect, Result, Schema } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { bearer, callContext, callNode, clusterAccess } from "./api-client.ts"
import type { ApiAnswer, ClusterAccess } from "./api-client.ts"
import { oneLine } from "./cluster-file.ts"
import type { ClusterFile, NodeEntry } from "./cluster-file.ts"
import { livePid, logPath, readCluster } from "./cluster-dir.ts"
import { ClusterControlError } from "./errors.ts"
import { noAnswerOfError, noAnswerOfStatus } from "./no-answer.ts"
import type { NoAnswer } from "./no-answer.ts"

export const controlFailure = (message: string) => Effect.fail(new ClusterControlError({ message }))

export const clusterIn = (dir: string) => Effect.fromResult(readCluster(dir))

const fail = controlFailure
const cluster = clusterIn

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

/** Names a node that exited while it was expected to start, with the last thing it logged: usually why. */
export const exitedMessage = (dir: string, id: NodeId): string => {
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

export const reportOf = (dir: string, file: ClusterFile, node: NodeEntry, hosted: AnyHostedSpec | undefined, access: Result.Result<ClusterAccess, ClusterControlError>) =>
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
