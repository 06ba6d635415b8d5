/**
 * ZooKeeper, as the recipe sees it: a parent node per lock name whose
 * children are ephemeral and sequential, one-shot watches, and sessions
 * that expire. Expiry deletes the session's ephemeral nodes and fires their
 * watches. A session is named by its owner: a model client's node id, or
 * the owner a hosted client names.
 *
 * A watch fires back to whoever set it: a model client is sent a message;
 * a hosted client's waiting call (`reply`) is answered.
 */
import { reply, send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import type { Seq, ZkMessage, ZkTimer } from "./messages.ts"
import type { ZkResponse } from "./requests.ts"

export interface ZNode {
  readonly name: string
  readonly seq: Seq
  readonly owner: string
}

/** A hosted call waiting for a watch to fire: the client and its call's sequence number. */
export interface WaitingCall {
  readonly client: string
  readonly call: number
}

export interface NodeWatch {
  readonly seq: Seq
  readonly watcher: string
  /** null: the watcher is a model client, sent `NodeDeleted`. */
  readonly reply: WaitingCall | null
}

export interface ZkServerState {
  readonly role: "server"
  readonly lastSeq: number
  /** Every parent's children, in sequence order. */
  readonly children: ReadonlyArray<ZNode>
  /** Sessions, in the order they were opened. */
  readonly sessions: ReadonlyArray<string>
  readonly expired: ReadonlyArray<string>
  /** One-shot watches on single nodes, and (model clients of the herd recipe) on the model's parent. */
  readonly nodeWatches: ReadonlyArray<NodeWatch>
  readonly childWatches: ReadonlyArray<NodeId>
}

export type ZkOut = Output<ZkMessage, ZkTimer, ZkResponse>
type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, ZkResponse>
export interface Changed {
  readonly state: ZkServerState
  readonly out: ReadonlyArray<ZkOut>
}

export const zkServerInit: ZkServerState = {
  role: "server",
  lastSeq: 0,
  children: [],
  sessions: [],
  expired: [],
  nodeWatches: [],
  childWatches: []
}

/** Expired sessions a hosted server remembers, to refuse them; past this it forgets some. */
export const rememberedExpiries = 1024

export const childrenOf = (s: ZkServerState, name: string): ReadonlyArray<ZNode> => s.children.filter((n) => n.name === name)

export const zNodeOf = (s: ZkServerState, seq: Seq): ZNode | undefined => s.children.find((n) => n.seq === seq)

const expireTimer = (session: string): ZkTimer => ({ _tag: "Expire", session })

/**
 * Opens `session` if it is new (arming its expiry), or hears from it again:
 * a heartbeat re-arms the expiry (a model's timer is armed already, so that
 * changes nothing there).
 */
export const heartbeat = (s: ZkServerState, session: string): Changed =>
  s.sessions.includes(session)
    ? { state: s, out: [setTimer(expireTimer(session))] }
    : { state: { ...s, sessions: [...s.sessions, session] }, out: [setTimer(expireTimer(session))] }

/** Every watch a change of the children fires: the parent's, and the deleted node's own. */
const fire = (s: ZkServerState, deleted: Seq | null): Changed => {
  const onNode = deleted === null ? [] : s.nodeWatches.filter((w) => w.seq === deleted)
  const out: Array<ZkOut> = [
    ...onNode.map((w) =>
      w.reply === null
        ? send<ZkMessage>(w.watcher, { _tag: "NodeDeleted", seq: w.seq })
        : reply<ZkResponse>(w.reply.client, { _tag: "Watched", seq: w.reply.call, token: w.seq })
    ),
    ...s.childWatches.map((watcher) => send<ZkMessage>(watcher, { _tag: "ChildrenChanged" }))
  ]
  return { state: { ...s, nodeWatches: s.nodeWatches.filter((w) => w.seq !== deleted), childWatches: [] }, out }
}

/** A new ephemeral sequential child of `name` for `owner`; the parent's watches fire. */
export const createChild = (s: ZkServerState, name: string, owner: string): Changed & { readonly seq: Seq } => {
  const seq = s.lastSeq + 1
  const created = fire({ ...s, lastSeq: seq, children: [...s.children, { name, seq, owner }] }, null)
  return { ...created, seq }
}

export const removeChild = (s: ZkServerState, seq: Seq): Changed =>
  s.children.some((n) => n.seq === seq) ? fire({ ...s, children: s.children.filter((n) => n.seq !== seq) }, seq) : { state: s, out: [] }

/** `exists(seq, watch)`: whether the node is there, with a watch left on it when it is. */
export const watchChild = (s: ZkServerState, watch: NodeWatch): { readonly state: ZkServerState; readonly exists: boolean } => {
  const exists = s.children.some((n) => n.seq === watch.seq)
  if (!exists) return { state: s, exists }
  // A hosted call asked again (the host retries a waiting call) leaves one watch, not two.
  const known = watch.reply !== null && s.nodeWatches.some((w) => w.reply?.client === watch.reply?.client && w.reply?.call === watch.reply?.call)
  return { state: known ? s : { ...s, nodeWatches: [...s.nodeWatches, watch] }, exists }
}

/**
 * A session times out: its ephemeral nodes are deleted, their watches fire,
 * and it is told (a model client, when it next hears from the server;
 * `notify` says whether the session is a model client's node).
 */
export const expireSession = (s: ZkServerState, session: string, notify: boolean): ServerStep => {
  if (s.expired.includes(session) || !s.sessions.includes(session)) return step(s)
  const expired = [...s.expired, session].sort()
  // Past its bound a hosted server forgets expired sessions (the first by name), and their names with them; a model never gets there.
  const forgotten = expired.length > rememberedExpiries ? expired.slice(0, expired.length - rememberedExpiries) : []
  let state: ZkServerState = {
    ...s,
    expired: expired.slice(forgotten.length),
    sessions: forgotten.length === 0 ? s.sessions : s.sessions.filter((other) => !forgotten.includes(other))
  }
  const out: Array<ZkOut> = []
  for (const node of s.children.filter((n) => n.owner === session)) {
    const removed = removeChild(state, node.seq)
    state = removed.state
    out.push(...removed.out)
  }
  return step(
    { ...state, nodeWatches: state.nodeWatches.filter((w) => w.watcher !== session), childWatches: state.childWatches.filter((c) => c !== session) },
    notify ? [...out, send(session, { _tag: "SessionExpired" })] : out
  )
}
