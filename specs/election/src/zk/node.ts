/**
 * A node of ZooKeeper-style leader election: create an ephemeral sequential
 * znode; list the children; the lowest leads; any other watches only its
 * predecessor with `exists`, and when that znode goes lists the children
 * again, because the predecessor may have been a follower whose session
 * expired. A node whose session expired joins again with a new session.
 */
import { send, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Step } from "@parley/core"
import type { Seq, Session, ZkDurable, ZkMessage, ZkTimer } from "./messages.ts"
import { ZkService, zkServerInit, zkServerOnMessage, zkServerOnTimer, zkServerRecover } from "./service.ts"
import type { ZkServerState } from "./service.ts"

/** Flags a variant switches on; all off is the recipe as ZooKeeper documents it. */
export interface ZkBugs {
  /** Woken by its predecessor's deletion, a node leads without listing the children again. */
  readonly assumeLowest: boolean
  /** Every node watches the lowest znode, the leader's, instead of its predecessor: the herd effect. */
  readonly watchLeader: boolean
}

export const zkRecipe: ZkBugs = { assumeLowest: false, watchLeader: false }

/** What a running cluster needs beyond the recipe; all off is the model's default. */
export interface ZkConfig {
  /**
   * A node pings the service on its `KeepAlive` timer, and each ping puts
   * off its session's `Expire`: a session then expires when its node stops
   * pinging (crashed, paused, cut off), as a ZooKeeper client's heartbeats
   * keep its session. Off, `Expire` is the whole failure detector. A ping
   * also says again the call the node waits on, for a network that loses
   * messages; the service answers a repeated Create with the znode it made.
   */
  readonly keepAlive: boolean
}

export const recipeConfig: ZkConfig = { keepAlive: false }

export type ZkPhase = "creating" | "listing" | "checking" | "watching" | "leader"

export interface ZkNodeState {
  readonly role: "node"
  /** Its own id: the status a cluster reports names it as the leader. */
  readonly self: NodeId
  readonly session: Session
  readonly phase: ZkPhase
  readonly own: Seq | null
  readonly watched: Seq | null
}

export type ZkState = ZkServerState | ZkNodeState

type NodeStep = Step<ZkNodeState, ZkMessage, ZkTimer, never>

export type ZkActor = Actor<ZkState, ZkMessage, ZkTimer, never, never, ZkDurable>

const join = (self: NodeId, session: Session): NodeStep =>
  step({ role: "node", self, session, phase: "creating", own: null, watched: null }, [send(ZkService, { _tag: "Create", session })])

const list = (s: ZkNodeState): NodeStep => step({ ...s, phase: "listing" }, [send(ZkService, { _tag: "GetChildren", session: s.session })])

export const zkNodeOnMessage = (bugs: ZkBugs, s: ZkNodeState, m: ZkMessage): NodeStep => {
  if (!("session" in m) || m.session !== s.session) return step(s)
  switch (m._tag) {
    case "Created":
      return s.phase === "creating" ? list({ ...s, own: m.seq }) : step(s)
    case "Children": {
      if (s.phase !== "listing" || s.own === null) return step(s)
      const own = s.own
      const lower = m.seqs.filter((seq) => seq < own)
      if (lower.length === 0) return step({ ...s, phase: "leader", watched: null })
      const watched = bugs.watchLeader ? Math.min(...lower) : Math.max(...lower)
      return step({ ...s, phase: "checking", watched }, [send(ZkService, { _tag: "Exists", session: s.session, seq: watched })])
    }
    case "ExistsResult":
      if (s.phase !== "checking" || m.seq !== s.watched) return step(s)
      // Gone before the watch was set: look again rather than wait for a deletion that has happened.
      return m.exists ? step({ ...s, phase: "watching" }) : list(s)
    case "NodeDeleted":
      if ((s.phase !== "watching" && s.phase !== "checking") || m.seq !== s.watched) return step(s)
      return bugs.assumeLowest ? step({ ...s, phase: "leader", watched: null }) : list(s)
    case "SessionExpired":
      return join(s.self, s.session + 1)
    default:
      return step(s)
  }
}

/** The call a node waits on the answer of, said again: a running cluster's links lose messages (a link not up yet, a partition). */
const pendingCall = (s: ZkNodeState): ReadonlyArray<ZkMessage> => {
  switch (s.phase) {
    case "creating":
      return [{ _tag: "Create", session: s.session }]
    case "listing":
      return [{ _tag: "GetChildren", session: s.session }]
    case "checking":
      return s.watched === null ? [] : [{ _tag: "Exists", session: s.session, seq: s.watched }]
    default:
      return []
  }
}

const keepAlive = (s: ZkNodeState): NodeStep =>
  step(s, [
    send(ZkService, { _tag: "Ping", session: s.session }),
    ...pendingCall(s).map((m) => send(ZkService, m)),
    setTimer<ZkTimer>({ _tag: "KeepAlive" })
  ])

export const zkActor = (bugs: ZkBugs, nodes: ReadonlyArray<NodeId>, config: ZkConfig = recipeConfig): ZkActor => {
  /** A node's first session, or its next after a restart, with its keep-alives started. */
  const joined = (self: NodeId, session: Session): NodeStep => {
    const started = join(self, session)
    return config.keepAlive ? step(started.state, [...started.out, setTimer<ZkTimer>({ _tag: "KeepAlive" })]) : started
  }
  const init: ZkActor["init"] = (ctx) => {
    if (ctx.self === ZkService) return step(zkServerInit)
    if (nodes.includes(ctx.self)) return joined(ctx.self, 1)
    throw new RangeError(`zk node ${ctx.self} has no role: it is neither ${ZkService} nor an election node`)
  }
  return {
    init,
    onMessage: (s, from, m) => (s.role === "service" ? zkServerOnMessage(s, from, m) : zkNodeOnMessage(bugs, s, m)),
    onTimer: (s, timer) =>
      s.role === "service" ? zkServerOnTimer(s, timer) : timer._tag === "KeepAlive" ? keepAlive(s) : step(s),
    onRequest: (s) => step(s),
    durable: (s) => (s.role === "service" ? s : { role: "node", session: s.session }),
    // In the model nothing crashes; in a cluster the service comes back with its tree, a node with a session newer than any it had.
    recover: (ctx, durable) =>
      durable.role === "service" ? zkServerRecover(durable) : ctx.self === ZkService ? init(ctx) : joined(ctx.self, durable.session + 1)
  }
}
