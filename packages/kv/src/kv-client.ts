import type { Client, ClientStep, NodeId } from "@parley/core/model"
import type { KvInput, KvRequest, KvResponse } from "./kv.ts"

/**
 * The clients the checker runs against a replicated key-value store (Raft,
 * Multi-Paxos): each works through a short script of operations on one key,
 * one at a time, as a Jepsen client does. It sends to the node it believes
 * leads, follows a redirect at once, and when it has no lead (a redirect
 * that names no leader, or no answer) tries the next node when its retry
 * timer fires. Retries carry the same sequence number, so the cluster
 * applies an operation once. Each operation has a budget of retries: a
 * client that retries without end is the largest multiplier of a search's
 * states, and a few retries already show a request applied twice or
 * answered from a stale leader. An operation whose budget is spent stays
 * open: the history keeps it pending, as a timed-out request.
 */
export interface KvClientState {
  /** Sequence number of the open operation; past the script's end when done. */
  readonly seq: number
  readonly target: NodeId
  /** Retries the open operation has left. */
  readonly retries: number
}

export type KvClientTimer = "retry"

export const TheKey = "x"

/** Client `c{i+1}`'s script: interleaved writes, reads and a compare-and-swap on one key, so operations of different clients interfere. */
export const kvClientScript = (clientIndex: number, requests: number): ReadonlyArray<KvInput> => {
  const own = `${clientIndex + 1}`
  const script: ReadonlyArray<KvInput> = clientIndex % 2 === 0
    ? [{ _tag: "Put", key: TheKey, value: own }, { _tag: "Get", key: TheKey }, { _tag: "Cas", key: TheKey, expected: own, value: `${own}'` }]
    : [{ _tag: "Get", key: TheKey }, { _tag: "Put", key: TheKey, value: own }, { _tag: "Delete", key: TheKey }]
  return script.slice(0, requests)
}

export const kvClient = (
  nodes: ReadonlyArray<NodeId>,
  clientIndex: number,
  requests: number,
  retries: number
): Client<KvClientState, KvRequest, KvResponse, KvClientTimer> => {
  const script = kvClientScript(clientIndex, requests)
  const nextNode = (node: NodeId): NodeId => nodes[(nodes.indexOf(node) + 1) % nodes.length]!
  const open = (state: KvClientState): boolean => state.seq <= script.length
  const sendTo = (state: KvClientState, to: NodeId): ClientStep<KvClientState, KvRequest, KvClientTimer> => {
    const op = script[state.seq - 1]
    if (op === undefined) return { state: { ...state, target: to }, out: [{ _tag: "CancelTimer", timer: "retry" }] }
    const request = { _tag: "Request", to, request: { seq: state.seq, op } } as const
    return {
      state: { ...state, target: to },
      out: state.retries > 0 ? [request, { _tag: "SetTimer", timer: "retry" }] : [request, { _tag: "CancelTimer", timer: "retry" }]
    }
  }
  return {
    init: () => {
      const first = nodes[clientIndex % nodes.length]!
      return sendTo({ seq: 1, target: first, retries }, first)
    },
    onResponse: (state, from, response) => {
      if (!open(state) || response.seq !== state.seq) return { state, out: [] }
      if (response._tag === "Done") return sendTo({ ...state, seq: state.seq + 1, retries }, from)
      return response.leader === null || response.leader === state.target ? { state, out: [] } : sendTo(state, response.leader)
    },
    onTimer: (state) =>
      open(state) && state.retries > 0 ? sendTo({ ...state, retries: state.retries - 1 }, nextNode(state.target)) : { state, out: [] },
    completes: (state, response) => response._tag === "Done" && response.seq === state.seq
  }
}
