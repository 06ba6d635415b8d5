/**
 * Fault injection, set through the client API's admin routes and applied to
 * every frame whatever the transport (peers.ts):
 * - the partition this node keeps (`parley cluster partition`): every frame
 *   to or from a blocked node is dropped, until the next partition replaces
 *   the set;
 * - the links this node holds (`parley cluster hold`): every frame it sends
 *   to a held peer waits, in order, until the link is released, when they
 *   all go out at once. A slow link, under the test's control instead of a
 *   clock: what was sent after the held frames on other links arrives first.
 */
import type { NodeId } from "@parley/core"
import { Context, Effect, Layer } from "effect"

/** Frames one held link keeps; beyond it the newest are dropped, as a partition would, so a forgotten hold cannot exhaust memory. */
export const maxHeldFrames = 100_000

export class Faults extends Context.Service<Faults, {
  /** Drops all traffic to and from these nodes, until the next call replaces the set; `[]` heals. */
  partition(blocked: ReadonlyArray<NodeId>): void
  blocked(): ReadonlyArray<NodeId>
  /** Whether frames to and from `peer` pass. */
  reaches(peer: NodeId): boolean
  /** Holds the frames sent to these peers, until the next call replaces the set; a peer left out gets its held frames, in order. */
  hold(peers: ReadonlyArray<NodeId>): void
  held(): ReadonlyArray<NodeId>
  /** Whether frames to `peer` wait for its link's release. */
  holds(peer: NodeId): boolean
  /** Keeps `release` to run, in order with the others for `peer`, when its link is released. */
  keep(peer: NodeId, release: () => void): void
}>()("@parley/runtime/Faults") {
  static readonly layer = Layer.effect(Faults, Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const log = (message: string, annotations: Record<string, unknown>) =>
      Effect.runForkWith(context)(Effect.logInfo(message).pipe(Effect.annotateLogs(annotations)))
    const blocked = new Set<NodeId>()
    const heldFrames = new Map<NodeId, Array<() => void>>()
    const dropped = new Map<NodeId, number>()
    return Faults.of({
      partition: (nodes) => {
        blocked.clear()
        for (const node of nodes) blocked.add(node)
        log("partition set", { blocked: [...blocked].join(",") || "none" })
      },
      blocked: () => [...blocked],
      reaches: (peer) => !blocked.has(peer),
      hold: (peers) => {
        const released = [...heldFrames.keys()].filter((peer) => !peers.includes(peer))
        for (const peer of peers) if (!heldFrames.has(peer)) heldFrames.set(peer, [])
        for (const peer of released) {
          const frames = heldFrames.get(peer)!
          heldFrames.delete(peer)
          log("link released", { peer, frames: frames.length, dropped: dropped.get(peer) ?? 0 })
          dropped.delete(peer)
          for (const send of frames) send()
        }
        log("links held", { held: [...heldFrames.keys()].join(",") || "none" })
      },
      held: () => [...heldFrames.keys()],
      holds: (peer) => heldFrames.has(peer),
      keep: (peer, release) => {
        const frames = heldFrames.get(peer)
        if (frames === undefined) return release()
        if (frames.length < maxHeldFrames) frames.push(release)
        else dropped.set(peer, (dropped.get(peer) ?? 0) + 1)
      }
    })
  }))
}
