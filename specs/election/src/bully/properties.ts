/**
 * What Bully promises when its timing assumptions hold, and what the
 * checker should show reachable. Bully promises a unique leader only in a
 * synchronous system: with message delays longer than its timeouts, a node
 * elects itself while a higher node's Answer is on its way, and two nodes
 * lead at once (README: "Bully under message delays").
 */
import { always, inFlight, sometimes } from "@parley/core"
import type { NodeId, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import { followsHighestWhenQuiet } from "../agreement.ts"
import type { BullyMessage } from "./messages.ts"
import type { BullyActor, BullyState } from "./node.ts"

export type BullySystem = SystemSpecOf<BullyActor>
export type BullySystemState = SystemStateOf<BullySystem>

/** The live nodes, in rank order (lowest first). */
export const liveBully = (s: BullySystemState): ReadonlyArray<BullyState> => s.nodes.flatMap((slot) => (slot.up ? [slot.state] : []))

export const isUp = (s: BullySystemState, ids: ReadonlyArray<NodeId>, id: NodeId): boolean => s.nodes[ids.indexOf(id)]?.up === true

const inTransit = (s: BullySystemState, from: NodeId, to: NodeId, tag: BullyMessage["_tag"]): boolean =>
  inFlight(s.network).some((e) => e.from === from && e.to === to && e.kind === "message" && e.body._tag === tag)

/**
 * Nothing is in flight, no election is running, and no live node follows a
 * node that is down (a crash its failure detector has yet to notice).
 */
export const quiet = (s: BullySystemState, ids: ReadonlyArray<NodeId>): boolean =>
  inFlight(s.network).length === 0 &&
  liveBully(s).every((n) => (n.phase === "follower" || n.phase === "leader") && (n.leader === null || isUp(s, ids, n.leader)))

/**
 * At most one live node leads, except in the takeover Bully is built on: a
 * higher node came back after a crash, leads, and its Coordinator is on its
 * way to the lower leader, which steps down when it arrives.
 */
export const oneLeader = always<BullySystemState>("OneLeader", (s) => {
  const leaders = liveBully(s).filter((n) => n.phase === "leader")
  return leaders.every((low, i) =>
    leaders.slice(i + 1).every((high) => s.crashes > 0 && inTransit(s, high.self, low.self, "Coordinator")))
})

/** Once quiet, every live node follows the highest live node, and that node leads. */
export const agreementWhenQuiet = (ids: ReadonlyArray<NodeId>) =>
  followsHighestWhenQuiet<BullySystemState>((s) => quiet(s, ids), liveBully)

export const leaderElected = (ids: ReadonlyArray<NodeId>) =>
  sometimes<BullySystemState>("LeaderElected", (s) => quiet(s, ids) && liveBully(s).some((n) => n.phase === "leader"))

/** The highest node crashed and a lower one was elected in its place. */
export const failoverLeader = (ids: ReadonlyArray<NodeId>) =>
  sometimes<BullySystemState>("FailoverLeader", (s) =>
    quiet(s, ids) && !isUp(s, ids, ids.at(-1)!) && liveBully(s).some((n) => n.phase === "leader"))

/** A node came back, outranks the leader, and has announced itself: the takeover window. */
export const takeoverWindow = sometimes<BullySystemState>("TakeoverWindow", (s) =>
  s.crashes > 0 && liveBully(s).filter((n) => n.phase === "leader").length === 2)

export const bullyProperties = (ids: ReadonlyArray<NodeId>, crashes: number): ReadonlyArray<Property<BullySystemState>> => [
  oneLeader,
  agreementWhenQuiet(ids),
  leaderElected(ids),
  ...(crashes > 0 ? [failoverLeader(ids), takeoverWindow] : [])
]
