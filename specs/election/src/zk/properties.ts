/**
 * What ZooKeeper-style election promises: among nodes whose sessions are
 * live, at most one leads, and it holds the lowest znode; each znode has at
 * most one watcher, so a leader's going wakes one node, not the herd. A node
 * whose session expired may still believe it leads until it hears so: the
 * recipe cannot prevent that, which is why the promise is about live
 * sessions and why a leader's writes need fencing (the zxid, or a token).
 */
import { always, inFlight, sometimes } from "@parley/core"
import type { NodeId, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { ZkActor, ZkNodeState } from "./node.ts"
import { sessionOf } from "./service.ts"
import type { ZkServerState } from "./service.ts"

export type ZkSystem = SystemSpecOf<ZkActor>
export type ZkSystemState = SystemStateOf<ZkSystem>

export const zkService = (s: ZkSystemState): ZkServerState | undefined => {
  for (const slot of s.nodes) if (slot.up && slot.state.role === "service") return slot.state
  return undefined
}

/** Each election node with its id, in declaration order. */
export const zkNodes = (s: ZkSystemState, ids: ReadonlyArray<NodeId>): ReadonlyArray<readonly [NodeId, ZkNodeState]> =>
  s.nodes.flatMap((slot, i) => (slot.up && slot.state.role === "node" ? [[ids[i]!, slot.state] as const] : []))

const liveSession = (service: ZkServerState | undefined, id: NodeId, node: ZkNodeState): boolean => {
  const record = service === undefined ? undefined : sessionOf(service, id)
  return record !== undefined && record.session === node.session && record.live
}

const liveLeaders = (s: ZkSystemState, ids: ReadonlyArray<NodeId>): ReadonlyArray<ZkNodeState> => {
  const service = zkService(s)
  return zkNodes(s, ids).filter(([id, n]) => n.phase === "leader" && liveSession(service, id, n)).map(([, n]) => n)
}

export const oneLiveLeader = (ids: ReadonlyArray<NodeId>) => always<ZkSystemState>("OneLiveLeader", (s) => liveLeaders(s, ids).length <= 1)

export const leaderHoldsLowest = (ids: ReadonlyArray<NodeId>) =>
  always<ZkSystemState>("LeaderHoldsLowest", (s) => {
    const lowest = zkService(s)?.children[0]?.seq
    return liveLeaders(s, ids).every((n) => n.own === lowest)
  })

export const noHerd = always<ZkSystemState>("NoHerd", (s) => {
  const watched = (zkService(s)?.watches ?? []).map((w) => w.seq)
  return new Set(watched).size === watched.length
})

/**
 * Nothing in flight, every node settled, leading or watching, and no live
 * session left to a crashed node (its expiry is still to come).
 */
export const quietZk = (s: ZkSystemState, ids: ReadonlyArray<NodeId>): boolean => {
  const service = zkService(s)
  return service !== undefined && inFlight(s.network).length === 0 &&
    zkNodes(s, ids).every(([, n]) => n.phase === "leader" || n.phase === "watching") &&
    service.sessions.every((r) => !r.live || s.nodes[ids.indexOf(r.node)]?.up === true)
}

/** Once quiet, exactly one live node leads, and every other node knows it does not (none leads when every node is down). */
export const zkAgreementWhenQuiet = (ids: ReadonlyArray<NodeId>) =>
  always<ZkSystemState>("AgreementWhenQuiet", (s) => {
    if (!quietZk(s, ids)) return true
    const nodes = zkNodes(s, ids)
    return nodes.filter(([, n]) => n.phase === "leader").length === Math.min(1, nodes.length)
  })

export const zkLeaderElected = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("LeaderElected", (s) => quietZk(s, ids) && liveLeaders(s, ids).length === 1)

/** The first leader's session expired (znode n-1 is gone) and another node was elected. */
export const zkFailoverLeader = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("FailoverLeader", (s) => quietZk(s, ids) && liveLeaders(s, ids).some((n) => n.own !== null && n.own > 1))

/** A node whose session expired came back with a new one and settled. */
export const zkRejoined = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("Rejoined", (s) => quietZk(s, ids) && zkNodes(s, ids).some(([, n]) => n.session > 1))

/** A node still believes it leads although its session expired: why the promise is about live sessions. */
export const leaderExpiredUnaware = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("LeaderExpiredUnaware", (s) => {
    const service = zkService(s)
    return zkNodes(s, ids).some(([id, n]) => n.phase === "leader" && !liveSession(service, id, n))
  })

export const zkProperties = (ids: ReadonlyArray<NodeId>, expiries: number): ReadonlyArray<Property<ZkSystemState>> => [
  oneLiveLeader(ids),
  leaderHoldsLowest(ids),
  noHerd,
  zkAgreementWhenQuiet(ids),
  zkLeaderElected(ids),
  ...(expiries > 0 ? [zkFailoverLeader(ids), zkRejoined(ids), leaderExpiredUnaware(ids)] : [])
]
