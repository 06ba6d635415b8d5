/**
 * The HTTP client of one test process, over the runtime's `callNode`: a
 * session of its own (Raft thesis §6.3), so that an operation sent again to
 * another node after a 503 or a timeout is still one operation; and a
 * record of whether an attempt may have reached the cluster, so that a
 * refusal after one is not mistaken for proof that nothing happened.
 */
import type { NodeId } from "@parley/core"
import { bearer, callNode, clientHeader, seqHeader } from "@parley/runtime"
import type { ClusterAccess, NodeEntry } from "@parley/runtime"
import type { CallOutcome, ClusterClient } from "./workload.ts"

export interface ClientTimeouts {
  /** How long one operation may take, over every attempt. */
  readonly operationMs: number
  /** How long one attempt lets the cluster take (its `?timeout=`). */
  readonly attemptMs: number
}

/** The pause before the next attempt after a 503 or no answer. */
const retryPauseMs = 100
/** How much longer than its `?timeout=` the client waits for a node's answer before it gives up on the node. */
const answerGraceMs = 1000

/** A connection that was refused never carried the request; any other failure may have. */
const neverSent = (error: unknown): boolean => {
  const cause: unknown = error instanceof Error ? error.cause : undefined
  return typeof cause === "object" && cause !== null && Reflect.get(cause, "code") === "ECONNREFUSED"
}

const describe = (error: unknown): string => {
  const cause: unknown = error instanceof Error ? error.cause : undefined
  const code = typeof cause === "object" && cause !== null ? Reflect.get(cause, "code") : undefined
  if (error instanceof Error && error.name === "TimeoutError") return "no answer in time"
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface ProcessClientOptions {
  readonly nodes: ReadonlyArray<NodeEntry>
  /** The node this process talks to first; the others on a 503 or no answer. */
  readonly first: NodeId
  /** The session's name: unique to the process. */
  readonly session: string
  /** The client token and, for a cluster serving HTTPS, its CA. */
  readonly access: ClusterAccess
  readonly timeouts: ClientTimeouts
}

export const processClient = (options: ProcessClientOptions): ClusterClient => {
  const ordered = [...options.nodes.filter((node) => node.id === options.first), ...options.nodes.filter((node) => node.id !== options.first)]
  let seq = 0
  return {
    call: async (method, path, body) => {
      seq++
      const headers = { ...bearer(options.access.token), [clientHeader]: options.session, [seqHeader]: String(seq) }
      const deadline = Date.now() + options.timeouts.operationMs
      let doubt = false
      let lastError = "no attempt"
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const node = ordered[attempt % ordered.length]!
        const waitMs = Math.max(1, Math.min(options.timeouts.attemptMs, deadline - Date.now()))
        const separator = path.includes("?") ? "&" : "?"
        try {
          const answer = await callNode(node, method, `${path}${separator}timeout=${waitMs}`, body, waitMs + answerGraceMs, headers, options.access.trust)
          if (answer.status !== 503) return { _tag: "Answered", answer, afterDoubt: doubt }
          doubt = true
          lastError = `${node.id} answered 503: ${typeof answer.body["error"] === "string" ? answer.body["error"] : "outcome unknown"}`
        } catch (error) {
          if (!neverSent(error)) doubt = true
          lastError = `${node.id}: ${describe(error)}`
        }
        await sleep(retryPauseMs)
      }
      const outcome: CallOutcome = { _tag: "NoAnswer", error: `no answer within ${options.timeouts.operationMs} ms; last: ${lastError}` }
      return outcome
    }
  }
}
