/**
 * Bully's timing assumption as the model's boundary. The checker fires a
 * timer at any moment, which is an asynchronous system. With `sync` the
 * search keeps only states a synchronous system (every timeout longer than
 * any message delay, a restart slower than the messages in flight) can
 * reach; each condition below is unreachable when the assumption holds,
 * and reachable only through a timeout that fired too early.
 */
import { inFlight } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { BullySystemState } from "./properties.ts"
import { isUp, liveBully } from "./properties.ts"

export type BullyTiming = "sync" | "async"

export const BullyTimings: ReadonlyArray<BullyTiming> = ["sync", "async"]

export const synchronous = (s: BullySystemState, ids: ReadonlyArray<NodeId>): boolean => {
  const envelopes = inFlight(s.network)
  const live = liveBully(s)
  return live.every((n) => {
    // answer-timeout waits for every answer: a winner has no Election of its own or Answer to it still in flight.
    if (n.phase === "leader" && envelopes.some((e) => (e.from === n.self && e.body._tag === "Election") || (e.to === n.self && e.body._tag === "Answer"))) {
      return false
    }
    // The failure detector is accurate: it suspects only a leader that is down.
    if (n.suspected !== null && isUp(s, ids, n.suspected)) return false
    // A restarted node boots into a quiet cluster: nothing in flight, no election running.
    if (n.phase === "booting" && (envelopes.length > 0 || live.some((o) => o.phase === "electing" || o.phase === "waiting"))) return false
    return true
  })
}
