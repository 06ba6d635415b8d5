/**
 * What the Bully and the ring election promise alike once nothing is left
 * to happen: every live node follows the highest live node, which follows
 * itself, that is, leads.
 */
import { always } from "@parley/core"
import type { NodeId, Property } from "@parley/core"

/** What the property reads of one live node. */
export interface Follower {
  readonly self: NodeId
  readonly leader: NodeId | null
}

/** `live` lists the live nodes in rank order, lowest first. */
export const followsHighestWhenQuiet = <S>(quiet: (s: S) => boolean, live: (s: S) => ReadonlyArray<Follower>): Property<S> =>
  always<S>("AgreementWhenQuiet", (s) => {
    if (!quiet(s)) return true
    const nodes = live(s)
    const highest = nodes.at(-1)?.self
    return nodes.every((n) => n.leader === highest)
  })
