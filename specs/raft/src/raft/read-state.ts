/**
 * What a leader keeps to answer reads without a log entry (reads.ts): the
 * reads waiting for a round of heartbeats, the rounds each peer answered,
 * and its lease. A node that does not lead keeps `noReads`.
 */
import { withFingerprintMemo } from "@parley/core"
import type { ClientId, NodeId } from "@parley/core"

/** A Get waiting at the leader (thesis §6.4). */
export interface PendingRead {
  readonly client: ClientId
  readonly seq: number
  readonly key: string
  /**
   * The read index: the leader's commit index when the read arrived, or
   * when it first committed an entry of its term if that came later; -1
   * until then. The answer reflects at least every entry up to it.
   */
  readonly index: number
  /** The round of heartbeats whose answer by a majority confirms that this node still led after the read arrived. */
  readonly round: number
}

/**
 * A lease (etcd's ReadOnlyLeaseBased, with its clock assumption made a
 * timer): armed when round `round` was sent, so it ends before any follower
 * that answered that round can time out and vote for another candidate;
 * `held` once a majority answered it.
 */
export interface Lease {
  readonly round: number
  readonly held: boolean
}

export interface LeaderReads {
  /** The rounds of heartbeats this leader started in its term: the latest's number; 0 for none. */
  readonly round: number
  /** The latest round a majority answered (the leader counts itself); a round above it is in flight. */
  readonly confirmed: number
  /** Each peer's latest answered round. */
  readonly acked: Readonly<Record<NodeId, number>>
  /** Reads not answered yet, in arrival order. */
  readonly pending: ReadonlyArray<PendingRead>
  /** With lease reads: the lease whose timer is armed; null when none is. */
  readonly lease: Lease | null
  /**
   * With lease reads: set once this leader told a follower to campaign at
   * once (TimeoutNow), which does not wait out the election timers a lease
   * stands on, so it takes no lease again in its term. Absent otherwise.
   */
  readonly leaseForfeited?: true
  /** Reads answered in this term by a round of heartbeats (ReadIndex), and under a lease. */
  readonly byIndex: number
  readonly byLease: number
}

export const noReads: LeaderReads = withFingerprintMemo({ round: 0, confirmed: 0, acked: {}, pending: [], lease: null, byIndex: 0, byLease: 0 })

/** The round an AppendEntries carries: the latest, while a majority has not answered it. */
export const roundInFlight = (reads: LeaderReads): number | undefined => (reads.round > reads.confirmed ? reads.round : undefined)
