/**
 * A small HTTP client for a cluster's API, whatever spec it runs, used by
 * `parley kv`, `parley cluster` and the benchmark. It tries the nodes in
 * turn and returns the first answer any of them gives; `callExactlyOnce`
 * names a session so that it can send an operation again safely. Given a
 * ClientTrust (client-tls.ts) it speaks HTTPS, trusting the cluster's CA alone.
 */
import type { NodeId } from "@parley/core"
import { Result } from "effect"
import { fetch } from "undici"
import type { ClientTrust } from "./client-tls.ts"
import { readClientTrust, schemeOf } from "./client-tls.ts"
import type { NodeEntry } from "./cluster-file.ts"
import { readClientToken, tokenPath } from "./credentials.ts"
import type { ClusterControlError } from "./errors.ts"
import { noAnswerOfError, noAnswerOfStatus } from "./no-answer.ts"
import type { CallContext } from "./no-answer.ts"
import { clientHeader, seqHeader } from "./session-headers.ts"

export interface ApiAnswer {
  readonly node: NodeId
  readonly status: number
  readonly body: Record<string, unknown>
}

/** The cluster's client token (credentials.ts) as a bearer token; no header when there is none. */
export const bearer = (token: string | undefined): Readonly<Record<string, string>> =>
  token === undefined ? {} : { authorization: `Bearer ${token}` }

export const callNode = async (
  node: NodeEntry,
  method: string,
  path: string,
  body?: string,
  timeoutMs = 2000,
  headers?: Readonly<Record<string, string>>,
  trust?: ClientTrust
): Promise<ApiAnswer> => {
  const response = await fetch(`${schemeOf(trust)}://${node.client}${path}`, {
    method,
    ...(body === undefined ? {} : { body }),
    ...(headers === undefined ? {} : { headers }),
    ...(trust === undefined ? {} : { dispatcher: trust.dispatcher }),
    signal: AbortSignal.timeout(timeoutMs)
  })
  const text = await response.text()
  let parsed: Record<string, unknown>
  try {
    parsed = JSON.parse(text) as Record<string, unknown>
  } catch {
    parsed = { error: `not JSON: ${text.slice(0, 200)}` }
  }
  return { node: node.id, status: response.status, body: parsed }
}

/** What a client of a cluster directory sends and trusts: its token (if any), and its CA when the nodes serve HTTPS, with the files they came from. */
export interface ClusterAccess {
  readonly token?: string
  readonly tokenFile?: string
  readonly trust?: ClientTrust
  readonly caFile?: string
}

export const clusterAccess = (dir: string): Result.Result<ClusterAccess, ClusterControlError> =>
  Result.map(readClientTrust(dir), (tls) => {
    const token = readClientToken(dir)
    return { ...(token === undefined ? {} : { token, tokenFile: tokenPath(dir) }), ...(tls === undefined ? {} : tls) }
  })

/** A call's context for saying why it got no answer: the files its trust and token came from. */
export const callContext = (node: NodeEntry, access: ClusterAccess, timeoutMs: number, log?: string): CallContext => ({
  address: node.client,
  timeoutMs,
  ...(access.caFile === undefined ? {} : { caFile: access.caFile }),
  ...(access.tokenFile === undefined ? {} : { tokenFile: access.tokenFile }),
  ...(log === undefined ? {} : { log })
})

/**
 * A call to a node of the local cluster in `dir`, with the credentials its
 * directory holds: the client token, and the CA when the nodes serve HTTPS.
 * Rejects, as a call that got no answer does, when the CA cannot be read.
 */
export const callNodeOf = async (
  dir: string,
  node: NodeEntry,
  method: string,
  path: string,
  body: string | undefined,
  timeoutMs: number
): Promise<ApiAnswer> => {
  const access = clusterAccess(dir)
  if (Result.isFailure(access)) throw access.failure
  return callNode(node, method, path, body, timeoutMs, bearer(access.success.token), access.success.trust)
}

/** Why the first of `nodes` gives no answer now, or undefined when it does answer: said when an operation got none. */
export const noAnswerReason = async (nodes: ReadonlyArray<NodeEntry>, access: ClusterAccess): Promise<string | undefined> => {
  const first = nodes[0]
  if (first === undefined) return undefined
  const timeoutMs = 2000
  try {
    const answer = await callNode(first, "GET", "/v1/status", undefined, timeoutMs, bearer(access.token), access.trust)
    return answer.status === 200 ? undefined : `${first.id}: ${noAnswerOfStatus(answer.status, answer.body, callContext(first, access, timeoutMs)).reason}`
  } catch (error) {
    return `${first.id}: ${noAnswerOfError(error, callContext(first, access, timeoutMs)).reason}`
  }
}

const startingFrom = (nodes: ReadonlyArray<NodeEntry>, first: NodeId | undefined): ReadonlyArray<NodeEntry> =>
  first === undefined ? nodes : [...nodes.filter((node) => node.id === first), ...nodes.filter((node) => node.id !== first)]

/** The first node that answers at all, starting from `first` when given; undefined when none does. */
export const callCluster = async (
  nodes: ReadonlyArray<NodeEntry>,
  method: string,
  path: string,
  body?: string,
  first?: NodeId,
  token?: string,
  trust?: ClientTrust
): Promise<ApiAnswer | undefined> => {
  for (const node of startingFrom(nodes, first)) {
    try {
      return await callNode(node, method, path, body, 10_000, bearer(token), trust)
    } catch {
      continue
    }
  }
  return undefined
}

/** A session of one's own (Raft thesis §6.3): a name unlikely to be anyone else's, and the operation's number in it. */
export interface NamedSession {
  readonly client: string
  readonly seq: number
}

export const freshSession = (prefix: string): NamedSession => ({ client: `${prefix}-${crypto.randomUUID()}`, seq: 1 })

/** How long one attempt lets the cluster take before it answers 503, unless told. */
const defaultAttemptMs = 5000
/** The pause before the next attempt after a 503 or no answer. */
const retryPauseMs = 100

/**
 * One operation, sent under `session` (Parley-Client and Parley-Seq) and
 * sent again, to the next node, whenever the answer is a 503 (the outcome
 * unknown) or no node answered, until `deadlineMs` from now. Every attempt
 * is the same operation, so it takes effect once and the answer is the
 * first attempt's. The last 503 when the deadline passes; undefined when
 * no node ever answered.
 */
export const callExactlyOnce = async (
  nodes: ReadonlyArray<NodeEntry>,
  method: string,
  path: string,
  body: string | undefined,
  options: {
    readonly session: NamedSession
    readonly deadlineMs: number
    readonly first?: NodeId
    readonly attemptMs?: number
    readonly token?: string
    /** The cluster's CA, when its nodes serve HTTPS. */
    readonly trust?: ClientTrust
  }
): Promise<ApiAnswer | undefined> => {
  const headers = { ...bearer(options.token), [clientHeader]: options.session.client, [seqHeader]: String(options.session.seq) }
  const deadline = Date.now() + options.deadlineMs
  const ordered = startingFrom(nodes, options.first)
  let last: ApiAnswer | undefined
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const node = ordered[attempt % ordered.length]!
    const waitMs = Math.max(1, Math.min(options.attemptMs ?? defaultAttemptMs, deadline - Date.now()))
    const separator = path.includes("?") ? "&" : "?"
    try {
      const answer = await callNode(node, method, `${path}${separator}timeout=${waitMs}`, body, waitMs + 2000, headers, options.trust)
      if (answer.status !== 503) return answer
      last = answer
    } catch {
      // No answer from this node: the next one may give it.
    }
    await new Promise((resolve) => setTimeout(resolve, retryPauseMs))
  }
  return last
}
