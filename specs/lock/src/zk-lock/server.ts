/**
 * ZooKeeper, as the recipe sees it: one parent node whose children are
 * ephemeral and sequential, one-shot watches, and sessions that expire.
 * Expiry deletes the session's ephemeral nodes and fires their watches.
 */
import { send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import type { Seq, ZkMessage, ZkTimer } from "./messages.ts"

export interface ZNode {
  readonly seq: Seq
  readonly owner: NodeId
}

export interface ZkServerState {
  readonly role: "server"
  readonly lastSeq: number
  /** The lock parent's children, in sequence order. */
  readonly children: ReadonlyArray<ZNode>
  /** Clients with a session, in the order they opened it. */
  readonly sessions: ReadonlyArray<NodeId>
  readonly expired: ReadonlyArray<NodeId>
  /** One-shot watches on single nodes, and on the parent. */
  readonly nodeWatches: ReadonlyArray<{ readonly seq: Seq; readonly watcher: NodeId }>
  readonly childWatches: ReadonlyArray<NodeId>
}

type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, never>
type Out = Output<ZkMessage, ZkTimer, never>

export const zkServerInit: ZkServerState = {
  role: "server",
  lastSeq: 0,
  children: [],
  sessions: [],
  expired: [],
  nodeWatches: [],
  childWatches: []
}

/** Every watch a change of the children fires: the parent's, and the deleted node's own. */
const fire = (s: ZkServerState, deleted: Seq | null): { readonly state: ZkServerState; readonly out: ReadonlyArray<Out> } => {
  const onNode = deleted === null ? [] : s.nodeWatches.filter((w) => w.seq === deleted)
  const out: Array<Out> = [
    ...onNode.map((w) => send<ZkMessage>(w.watcher, { _tag: "NodeDeleted", seq: w.seq })),
    ...s.childWatches.map((watcher) => send<ZkMessage>(watcher, { _tag: "ChildrenChanged" }))
  ]
  return { state: { ...s, nodeWatches: s.nodeWatches.filter((w) => w.seq !== deleted), childWatches: [] }, out }
}

const remove = (s: ZkServerState, seq: Seq): { readonly state: ZkServerState; readonly out: ReadonlyArray<Out> } =>
  s.children.some((n) => n.seq === seq) ? fire({ ...s, children: s.children.filter((n) => n.seq !== seq) }, seq) : { state: s, out: [] }

export const zkServerOnMessage = (s: ZkServerState, from: NodeId, m: ZkMessage): ServerStep => {
  if (s.expired.includes(from)) return step(s, [send(from, { _tag: "SessionExpired" })])
  switch (m._tag) {
    case "Create": {
      const seq = s.lastSeq + 1
      const opened = s.sessions.includes(from)
      const created = fire({ ...s, lastSeq: seq, children: [...s.children, { seq, owner: from }], sessions: opened ? s.sessions : [...s.sessions, from] }, null)
      return step(created.state, [
        ...created.out,
        send(from, { _tag: "Created", seq }),
        ...(opened ? [] : [setTimer<ZkTimer>({ _tag: "Expire", client: from })])
      ])
    }
    case "GetChildren":
      return step(
        m.watch && !s.childWatches.includes(from) ? { ...s, childWatches: [...s.childWatches, from].sort() } : s,
        [send(from, { _tag: "Children", seqs: s.children.map((n) => n.seq) })]
      )
    case "Exists": {
      const exists = s.children.some((n) => n.seq === m.seq)
      const watched = exists ? { ...s, nodeWatches: [...s.nodeWatches, { seq: m.seq, watcher: from }] } : s
      return step(watched, [send(from, { _tag: "ExistsResult", seq: m.seq, exists })])
    }
    case "Delete": {
      const removed = remove(s, m.seq)
      return step(removed.state, [...removed.out, send(from, { _tag: "DeleteResult" })])
    }
    default:
      return step(s)
  }
}

/** A session times out: its ephemeral nodes are deleted, their watches fire, and the client is told when it next hears from the server. */
export const zkServerOnTimer = (s: ZkServerState, timer: ZkTimer): ServerStep => {
  if (timer === "release" || s.expired.includes(timer.client)) return step(s)
  let state: ZkServerState = { ...s, expired: [...s.expired, timer.client].sort() }
  const out: Array<Out> = []
  for (const node of s.children.filter((n) => n.owner === timer.client)) {
    const removed = remove(state, node.seq)
    state = removed.state
    out.push(...removed.out)
  }
  return step(
    { ...state, nodeWatches: state.nodeWatches.filter((w) => w.watcher !== timer.client), childWatches: state.childWatches.filter((c) => c !== timer.client) },
    [...out, send(timer.client, { _tag: "SessionExpired" })]
  )
}
