/**
 * What the ZooKeeper lock recipe promises: among clients whose sessions are
 * live, at most one holds the lock; and a waiter is woken only by the
 * deletion of its predecessor, so a release wakes one client, not the herd.
 * A client whose session expired may still believe it holds the lock until
 * it hears of the expiry: the recipe cannot prevent that (the pause problem
 * of every lease), which is why the exclusion is among live sessions.
 */
import { always, inFlight, sometimes } from "@parley/core"
import type { NodeId, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import { liveInRole } from "../cluster.ts"
import type { ZkClientState } from "./client.ts"
import type { ZkActor } from "./node.ts"
import type { ZkServerState } from "./server.ts"

export type ZkSystem = SystemSpecOf<ZkActor>
export type ZkSystemState = SystemStateOf<ZkSystem>

export const zkServerOf = (s: ZkSystemState): ZkServerState | undefined => liveInRole(s.nodes, "server")[0]

/** Each client with its id, in declaration order. */
export const zkClientsOf = (s: ZkSystemState, ids: ReadonlyArray<NodeId>): ReadonlyArray<readonly [NodeId, ZkClientState]> =>
  s.nodes.flatMap((slot, i) => (slot.up && slot.state.role === "client" ? [[ids[i]!, slot.state] as const] : []))

const liveHolders = (s: ZkSystemState, ids: ReadonlyArray<NodeId>): ReadonlyArray<NodeId> => {
  const expired = zkServerOf(s)?.expired ?? []
  return zkClientsOf(s, ids).filter(([id, c]) => c.phase === "holding" && !expired.includes(id)).map(([id]) => id)
}

export const mutualExclusion = (ids: ReadonlyArray<NodeId>) =>
  always<ZkSystemState>("MutualExclusion", (s) => liveHolders(s, ids).length <= 1)

const waiting = (c: ZkClientState | undefined): boolean => c?.phase === "waiting" || c?.phase === "checking"

/**
 * Every watch notification on its way to a waiting client (the events that
 * can wake it) is the deletion of the one node it watches, its predecessor.
 */
export const wokenOnlyByPredecessor = (ids: ReadonlyArray<NodeId>) =>
  always<ZkSystemState>("WokenOnlyByPredecessor", (s) => {
    const clients = new Map(zkClientsOf(s, ids))
    return inFlight(s.network).every((e) => {
      if (e.kind !== "message" || (e.body._tag !== "NodeDeleted" && e.body._tag !== "ChildrenChanged")) return true
      const to = clients.get(e.to)
      return !waiting(to) || (e.body._tag === "NodeDeleted" && to?.watched === e.body.seq)
    })
  })

export const lockHeld = (ids: ReadonlyArray<NodeId>) => sometimes<ZkSystemState>("LockHeld", (s) => liveHolders(s, ids).length === 1)

/** A waiter came to hold the lock after its predecessor went. */
export const handedOver = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("HandedOver", (s) => zkClientsOf(s, ids).some(([, c]) => c.phase === "holding" && c.watched !== null))

/** A client still acts as holder although its session expired and another may hold the lock. */
export const holderExpired = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("HolderExpiredUnaware", (s) => {
    const expired = zkServerOf(s)?.expired ?? []
    return zkClientsOf(s, ids).some(([id, c]) => c.phase === "holding" && expired.includes(id))
  })

export const everyClientFinished = (ids: ReadonlyArray<NodeId>) =>
  sometimes<ZkSystemState>("EveryClientFinished", (s) => zkClientsOf(s, ids).every(([, c]) => c.phase === "done" || c.phase === "expired"))

export const zkProperties = (ids: ReadonlyArray<NodeId>, clients: number, expiries: number): ReadonlyArray<Property<ZkSystemState>> => [
  mutualExclusion(ids),
  wokenOnlyByPredecessor(ids),
  lockHeld(ids),
  everyClientFinished(ids),
  ...(clients >= 2 ? [handedOver(ids)] : []),
  ...(expiries > 0 ? [holderExpired(ids)] : [])
]
