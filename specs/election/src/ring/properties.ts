/**
 * What Chang and Roberts's election promises, with a perfect failure
 * detector and crash-stop nodes: one leader per epoch, and once the ring is
 * quiet every live node follows the highest live node.
 */
import { always, inFlight, sometimes } from "@parley/core"
import type { NodeId, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import { followsHighestWhenQuiet } from "../agreement.ts"
import type { RingActor, RingState } from "./node.ts"

export type RingSystem = SystemSpecOf<RingActor>
export type RingSystemState = SystemStateOf<RingSystem>

export const liveRing = (s: RingSystemState): ReadonlyArray<RingState> => s.nodes.flatMap((slot) => (slot.up ? [slot.state] : []))

const isUp = (s: RingSystemState, ids: ReadonlyArray<NodeId>, id: NodeId): boolean => s.nodes[ids.indexOf(id)]?.up === true

/** Nothing in flight, no election running, and every live node follows a live leader, not a crashed one its ring has yet to notice. */
export const quietRing = (s: RingSystemState, ids: ReadonlyArray<NodeId>): boolean =>
  inFlight(s.network).length === 0 &&
  liveRing(s).every((n) => !n.participant && n.leader !== null && isUp(s, ids, n.leader))

/** Every leader a live node follows or an Elected in flight names, per epoch: at most one per epoch. */
export const oneLeaderPerEpoch = always<RingSystemState>("OneLeaderPerEpoch", (s) => {
  const leaders = new Map<number, NodeId>()
  const claims = [
    ...liveRing(s).flatMap((n) => (n.leader === null ? [] : [[n.epoch, n.leader] as const])),
    ...inFlight(s.network).flatMap((e) => (e.kind === "message" && e.body._tag === "Elected" ? [[e.body.epoch, e.body.leader] as const] : []))
  ]
  return claims.every(([epoch, leader]) => {
    const named = leaders.get(epoch)
    if (named === undefined) leaders.set(epoch, leader)
    return named === undefined || named === leader
  })
})

/** Once quiet, every live node follows the highest live node. */
export const ringAgreementWhenQuiet = (ids: ReadonlyArray<NodeId>) => followsHighestWhenQuiet<RingSystemState>((s) => quietRing(s, ids), liveRing)

export const ringLeaderElected = (ids: ReadonlyArray<NodeId>) =>
  sometimes<RingSystemState>("LeaderElected", (s) => quietRing(s, ids) && liveRing(s).some((n) => n.leader === n.self))

/** A node skipped its crashed successor and the repaired ring settled on a leader. */
export const ringRepaired = (ids: ReadonlyArray<NodeId>) =>
  sometimes<RingSystemState>("RingRepaired", (s) =>
    quietRing(s, ids) && liveRing(s).some((n) => n.skipped.length > 0) && liveRing(s).some((n) => n.leader === n.self))

/** The leader crashed, and a later epoch elected another. */
export const newLeaderAfterCrash = (ids: ReadonlyArray<NodeId>) =>
  sometimes<RingSystemState>("NewLeaderAfterCrash", (s) => quietRing(s, ids) && liveRing(s).some((n) => n.leader === n.self && n.epoch > 1))

export const ringProperties = (ids: ReadonlyArray<NodeId>, crashes: number): ReadonlyArray<Property<RingSystemState>> => [
  oneLeaderPerEpoch,
  ringAgreementWhenQuiet(ids),
  ringLeaderElected(ids),
  ...(crashes > 0 ? [ringRepaired(ids), newLeaderAfterCrash(ids)] : [])
]
