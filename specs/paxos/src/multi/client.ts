/**
 * The clients the checker runs against a Multi-Paxos cluster, as Jepsen's
 * do: each works through a short script of operations on one key, one at a
 * time. It sends to the node it believes leads, follows a redirect at once,
 * and when it has no lead (a redirect naming nobody, or no answer) tries the
 * next node when its retry timer fires. A retry carries the same sequence
 * number, so the cluster applies the operation once however many leaders
 * choose it. Each operation has a budget of retries: an operation whose
 * budget is spent stays open, and the history keeps it pending, as a
 * timed-out request.
 *
 * This is the client raft's checks run (specs/raft/src/client.ts) over this
 * spec's requests; both belong in @parley/core once the two specs share
 * their request and response Schemas.
 */
import type { Client, ClientStep, KvInput, NodeId } from "@parley/core"
import type { MultiPaxosRequest, MultiPaxosResponse } from "./messages.ts"

export interface MultiPaxosClientState {
  /** Sequence number of the open operation; past the script's end when done. */
  readonly seq: number
  readonly target: NodeId
  /** Retries the open operation has left. */
  readonly retries: number
}

export type MultiPaxosClientTimer = "retry"

export const TheKey = "x"

/** Client `c{i+1}`'s script: writes, reads and a compare-and-swap on one key, so the operations of two clients interfere. */
export const clientScript = (clientIndex: number, requests: number): ReadonlyArray<KvInput> => {
  const own = `${clientIndex + 1}`
  const script: ReadonlyArray<KvInput> = clientIndex % 2 === 0
    ? [{ _tag: "Put", key: TheKey, value: own }, { _tag: "Get", key: TheKey }, { _tag: "Cas", key: TheKey, expected: own, value: `${own}'` }]
    : [{ _tag: "Get", key: TheKey }, { _tag: "Put", key: TheKey, value: own }, { _tag: "Delete", key: TheKey }]
  return script.slice(0, requests)
}

export const multiPaxosClient = (
  nodes: ReadonlyArray<NodeId>,
  clientIndex: number,
  requests: number,
  retries: number
): Client<MultiPaxosClientState, MultiPaxosRequest, MultiPaxosResponse, MultiPaxosClientTimer> => {
  const script = clientScript(clientIndex, requests)
  const nextNode = (node: NodeId): NodeId => nodes[(nodes.indexOf(node) + 1) % nodes.length]!
  const open = (state: MultiPaxosClientState): boolean => state.seq <= script.length
  const sendTo = (state: MultiPaxosClientState, to: NodeId): ClientStep<MultiPaxosClientState, MultiPaxosRequest, MultiPaxosClientTimer> => {
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
