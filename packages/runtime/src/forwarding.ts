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
  /** How many forwarded requests this node still holds the way back for. */
  pending(): number
}>()("@parley/runtime/Forwarding") {}

/**
 * How long the way back for a forwarded request is kept unanswered: a
 * forwarding node waits at most its longest timeout (60 s) and sends the
 * request again every attempt (1 s), which renews it; after this nobody
 * waits for the answer any more.
 */
export const forwardedRecordMs = 65_000

/**
 * Which node forwarded each client's request, dropped once the request is
 * answered, or after `keepMs` unanswered (a leader that lost its leadership
 * never answers). Two generations, each at most `keepMs` old, swapped as
 * the older expires: no timer and no scan, and a record lives `keepMs` to
 * twice that.
 */
export class ForwardedBy {
  private current = new Map<ClientId, NodeId>()
  private previous = new Map<ClientId, NodeId>()
  private currentSince: number

  constructor(private readonly keepMs: number, private readonly now: () => number = Date.now) {
    this.currentSince = now()
  }

  note(client: ClientId, from: NodeId): void {
    this.age()
    this.previous.delete(client)
    this.current.set(client, from)
  }

  /** The node that forwarded `client`'s request, forgotten as it is told. */
  take(client: ClientId): NodeId | undefined {
    this.age()
    const from = this.current.get(client) ?? this.previous.get(client)
    this.current.delete(client)
    this.previous.delete(client)
    return from
  }

  size(): number {
    this.age()
    return this.current.size + this.previous.size
  }

  private age(): void {
    const now = this.now()
    if (now - this.currentSince < this.keepMs) return
    // Two generations past: everything is stale at once.
    this.previous = now - this.currentSince < 2 * this.keepMs ? this.current : new Map()
    this.current = new Map()
    this.currentSince = now
  }
}

/**
 * Forwarding over a peer link (`send` and `flush`), and the bookkeeping for
 * the way back: `requested` notes which node forwarded a client's request
 * that arrived here.
 */
export const forwardingOver = (send: (to: NodeId, frame: PeerFrame) => void, flush: () => void) => {
  const forwardedBy = new ForwardedBy(forwardedRecordMs)
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
        const to = forwardedBy.take(client)
        if (to === undefined) return false
        send(to, { _tag: "Answer", client, response })
        return true
      },
      pending: () => forwardedBy.size()
    }),
    requested: (from: NodeId, client: ClientId): void => forwardedBy.note(client, from)
  }
}
