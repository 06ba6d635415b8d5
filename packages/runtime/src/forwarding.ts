/**
 * Client requests forwarded between nodes. A node that is not the leader
 * hands a client's request to the node it believes leads; that node's
 * reducer answers it, and the answer goes back to the node that forwarded
 * the request, where the client waits (Replies).
 */
import type { ClientId, NodeId } from "@parley/core"
import { Context } from "effect"
import type { PeerFrame } from "./transport.ts"

export class Forwarding extends Context.Service<Forwarding, {
  /** Hands a client request to another node's reducer, written within this turn of the event loop; its answer comes back through Replies. */
  forward(to: NodeId, client: ClientId, request: unknown): void
  /** Sends `response` to the node that forwarded `client`'s request here; false when none did. */
  answerForwarded(client: ClientId, response: unknown): boolean
}>()("@parley/runtime/Forwarding") {}

/**
 * Forwarding over a peer link (`send` and `flush`), and the bookkeeping for
 * the way back: `requested` notes which node forwarded a client's request
 * that arrived here.
 */
export const forwardingOver = (send: (to: NodeId, frame: PeerFrame) => void, flush: () => void) => {
  const forwardedBy = new Map<ClientId, NodeId>()
  let flushScheduled = false
  /** Forwarded requests from one turn of the event loop leave in one write per peer. */
  const flushSoon = (): void => {
    if (flushScheduled) return
    flushScheduled = true
    setImmediate(() => {
      flushScheduled = false
      flush()
    })
  }
  return {
    forwarding: Forwarding.of({
      forward: (to, client, request) => {
        send(to, { _tag: "Forward", client, request })
        flushSoon()
      },
      answerForwarded: (client, response) => {
        const to = forwardedBy.get(client)
        if (to === undefined) return false
        send(to, { _tag: "Answer", client, response })
        return true
      }
    }),
    requested: (from: NodeId, client: ClientId): void => {
      forwardedBy.set(client, from)
    }
  }
}
