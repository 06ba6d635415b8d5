/**
 * A small HTTP client for a cluster's API, whatever spec it runs, used by
 * `parley kv`, `parley cluster` and the benchmark. It tries the nodes in
 * turn and returns the first answer any of them gives.
 */
import type { NodeId } from "@parley/core"
import type { NodeEntry } from "./cluster-file.ts"

export interface ApiAnswer {
  readonly node: NodeId
  readonly status: number
  readonly body: Record<string, unknown>
}

export const callNode = async (
  node: NodeEntry,
  method: string,
  path: string,
  body?: string,
  timeoutMs = 2000,
  /** The cluster's client token (credentials.ts), sent as a bearer token when given. */
  token?: string
): Promise<ApiAnswer> => {
  const response = await fetch(`http://${node.client}${path}`, {
    method,
    ...(body === undefined ? {} : { body }),
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
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

/** The first node that answers at all, starting from `first` when given; undefined when none does. */
export const callCluster = async (
  nodes: ReadonlyArray<NodeEntry>,
  method: string,
  path: string,
  body?: string,
  first?: NodeId,
  token?: string
): Promise<ApiAnswer | undefined> => {
  const ordered = first === undefined ? nodes : [...nodes.filter((node) => node.id === first), ...nodes.filter((node) => node.id !== first)]
  for (const node of ordered) {
    try {
      return await callNode(node, method, path, body, 10_000, token)
    } catch {
      continue
    }
  }
  return undefined
}
