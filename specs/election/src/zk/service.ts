/**
 * The coordination service as the recipe sees it: `/election`'s ephemeral
 * sequential children, one-shot watches on single znodes, and sessions.
 * Expiring a session deletes its znode, fires that znode's watches and drops
 * the session's own watches.
 */
import { send, setTimer, step } from "@parley/core"
import type { NodeId, Output, Step } from "@parley/core"
import type { Session, ZkMessage, ZkServerRecord, ZkTimer } from "./messages.ts"

export const ZkService = "zk"

export type ZkServerState = typeof ZkServerRecord.Type
export type ZkSessionRecord = ZkServerState["sessions"][number]

type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, never>

export const zkServerInit: ZkServerState = { role: "service", lastSeq: 0, children: [], sessions: [], watches: [], expiries: 0 }

export const sessionOf = (s: ZkServerState, node: NodeId): ZkSessionRecord | undefined => s.sessions.find((r) => r.node === node)

type ServerOut = Output<ZkMessage, ZkTimer, never>

/** A session ends: its znode is deleted, the watches on that znode fire, and its own watches are dropped. */
const ended = (s: ZkServerState, node: NodeId): { readonly state: ZkServerState; readonly fired: ReadonlyArray<ServerOut> } => {
  const gone = s.children.filter((c) => c.owner === node).map((c) => c.seq)
  const fired = s.watches.filter((w) => gone.includes(w.seq) && w.watcher !== node)
  return {
    state: {
      ...s,
      children: s.children.filter((c) => c.owner !== node),
      sessions: s.sessions.map((r) => (r.node === node ? { ...r, live: false } : r)),
      watches: s.watches.filter((w) => !gone.includes(w.seq) && w.watcher !== node)
    },
    fired: fired.map((w) => send<ZkMessage>(w.watcher, { _tag: "NodeDeleted", session: w.session, seq: w.seq }))
  }
}

/**
 * A node's new session. A restarted node opens one while its old session
 * may still be live; the service knows nodes by id, so the old one ends
 * first (in the model a session opens only after the old one expired).
 */
const opened = (s: ZkServerState, node: NodeId, session: Session): { readonly state: ZkServerState; readonly fired: ReadonlyArray<ServerOut> } => {
  const previous = sessionOf(s, node)?.live === true ? ended(s, node) : { state: s, fired: [] }
  const sessions = [...previous.state.sessions.filter((r) => r.node !== node), { node, session, live: true }]
  return { state: { ...previous.state, sessions: sessions.sort((a, b) => (a.node < b.node ? -1 : 1)) }, fired: previous.fired }
}

/** A Ping puts off a live session's expiry; one of a session that expired is told so again, in case the first word was lost. */
const pinged = (s: ZkServerState, from: NodeId, session: Session): ServerStep => {
  const record = sessionOf(s, from)
  if (record === undefined || record.session !== session) return step(s)
  return step(s, [record.live ? setTimer<ZkTimer>({ _tag: "Expire", node: from }) : send<ZkMessage>(from, { _tag: "SessionExpired", session })])
}

export const zkServerOnMessage = (s: ZkServerState, from: NodeId, m: ZkMessage): ServerStep => {
  if (m._tag === "Ping") return pinged(s, from, m.session)
  if (m._tag !== "Create" && m._tag !== "GetChildren" && m._tag !== "Exists") return step(s)
  const record = sessionOf(s, from)
  const fresh = record === undefined || m.session > record.session
  // Only a Create opens a session; a request of an older or an expired session is ignored (its expiry was sent).
  if (fresh ? m._tag !== "Create" : m.session < record.session || !record.live) return step(s)
  switch (m._tag) {
    case "Create": {
      // A Create said again (its answer lost) is answered with the znode it made.
      const made = fresh ? undefined : s.children.find((c) => c.owner === from)
      if (made !== undefined) return step(s, [send(from, { _tag: "Created", session: m.session, seq: made.seq })])
      const seq = s.lastSeq + 1
      const { state: base, fired } = fresh ? opened(s, from, m.session) : { state: s, fired: [] }
      return step({ ...base, lastSeq: seq, children: [...base.children, { seq, owner: from }] }, [
        ...fired,
        send(from, { _tag: "Created", session: m.session, seq }),
        ...(fresh ? [setTimer<ZkTimer>({ _tag: "Expire", node: from })] : [])
      ])
    }
    case "GetChildren":
      return step(s, [send(from, { _tag: "Children", session: m.session, seqs: s.children.map((c) => c.seq) })])
    case "Exists": {
      const exists = s.children.some((c) => c.seq === m.seq)
      const again = s.watches.some((w) => w.seq === m.seq && w.watcher === from && w.session === m.session)
      const watched = exists && !again ? { ...s, watches: [...s.watches, { seq: m.seq, watcher: from, session: m.session }] } : s
      return step(watched, [send(from, { _tag: "ExistsResult", session: m.session, seq: m.seq, exists })])
    }
  }
}

export const zkServerOnTimer = (s: ZkServerState, timer: ZkTimer): ServerStep => {
  if (timer._tag !== "Expire") return step(s)
  const record = sessionOf(s, timer.node)
  if (record === undefined || !record.live) return step(s)
  const { state, fired } = ended(s, timer.node)
  return step({ ...state, expiries: s.expiries + 1 }, [...fired, send(timer.node, { _tag: "SessionExpired", session: record.session })])
}

/** A restarted service: its tree and sessions as they were, each live session given a full timeout again, as a new ZooKeeper leader does. */
export const zkServerRecover = (s: ZkServerState): ServerStep =>
  step(s, s.sessions.filter((r) => r.live).map((r) => setTimer<ZkTimer>({ _tag: "Expire", node: r.node })))
