/**
 * The coordination service as the recipe sees it: `/election`'s ephemeral
 * sequential children, one-shot watches on single znodes, and sessions.
 * Expiring a session deletes its znode, fires that znode's watches and drops
 * the session's own watches.
 */
import { send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import type { Seq, Session, ZkMessage, ZkTimer } from "./messages.ts"

export const ZkService = "zk"

export interface ZkSessionRecord {
  readonly node: NodeId
  readonly session: Session
  readonly live: boolean
}

export interface ZkServerState {
  readonly role: "service"
  readonly lastSeq: number
  /** `/election`'s children, in sequence order. */
  readonly children: ReadonlyArray<{ readonly seq: Seq; readonly owner: NodeId }>
  /** Each node's latest session, in node order. */
  readonly sessions: ReadonlyArray<ZkSessionRecord>
  readonly watches: ReadonlyArray<{ readonly seq: Seq; readonly watcher: NodeId; readonly session: Session }>
  readonly expiries: number
}

type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, never>

export const zkServerInit: ZkServerState = { role: "service", lastSeq: 0, children: [], sessions: [], watches: [], expiries: 0 }

export const sessionOf = (s: ZkServerState, node: NodeId): ZkSessionRecord | undefined => s.sessions.find((r) => r.node === node)

const opened = (s: ZkServerState, node: NodeId, session: Session): ZkServerState => ({
  ...s,
  sessions: [...s.sessions.filter((r) => r.node !== node), { node, session, live: true }].sort((a, b) => (a.node < b.node ? -1 : 1))
})

export const zkServerOnMessage = (s: ZkServerState, from: NodeId, m: ZkMessage): ServerStep => {
  if (m._tag !== "Create" && m._tag !== "GetChildren" && m._tag !== "Exists") return step(s)
  const record = sessionOf(s, from)
  const fresh = record === undefined || m.session > record.session
  // Only a Create opens a session; a request of an older or an expired session is ignored (its expiry was sent).
  if (fresh ? m._tag !== "Create" : m.session < record.session || !record.live) return step(s)
  switch (m._tag) {
    case "Create": {
      const seq = s.lastSeq + 1
      const base = fresh ? opened(s, from, m.session) : s
      return step({ ...base, lastSeq: seq, children: [...base.children, { seq, owner: from }] }, [
        send(from, { _tag: "Created", session: m.session, seq }),
        ...(fresh ? [setTimer<ZkTimer>({ _tag: "Expire", node: from })] : [])
      ])
    }
    case "GetChildren":
      return step(s, [send(from, { _tag: "Children", session: m.session, seqs: s.children.map((c) => c.seq) })])
    case "Exists": {
      const exists = s.children.some((c) => c.seq === m.seq)
      const watched = exists ? { ...s, watches: [...s.watches, { seq: m.seq, watcher: from, session: m.session }] } : s
      return step(watched, [send(from, { _tag: "ExistsResult", session: m.session, seq: m.seq, exists })])
    }
  }
}

export const zkServerOnTimer = (s: ZkServerState, timer: ZkTimer): ServerStep => {
  const record = sessionOf(s, timer.node)
  if (record === undefined || !record.live) return step(s)
  const gone = s.children.filter((c) => c.owner === timer.node).map((c) => c.seq)
  const fired = s.watches.filter((w) => gone.includes(w.seq) && w.watcher !== timer.node)
  const out: Array<Output<ZkMessage, ZkTimer, never>> = [
    ...fired.map((w) => send<ZkMessage>(w.watcher, { _tag: "NodeDeleted", session: w.session, seq: w.seq })),
    send(timer.node, { _tag: "SessionExpired", session: record.session })
  ]
  return step({
    ...s,
    children: s.children.filter((c) => c.owner !== timer.node),
    sessions: s.sessions.map((r) => (r.node === timer.node ? { ...r, live: false } : r)),
    watches: s.watches.filter((w) => !gone.includes(w.seq) && w.watcher !== timer.node),
    expiries: s.expiries + 1
  }, out)
}
