import type { ClientId } from "@parley/core"

/**
 * The client sessions this node's API uses towards the reducer. A reducer's
 * session (Raft thesis §6.3) assumes one operation at a time per client, so
 * each HTTP operation in flight that names no session of its own takes a
 * slot the node lends it, with its own sequence numbers, and gives it back
 * when answered; at most as many such sessions exist as operations were
 * ever concurrent. The incarnation keeps a restarted node's sequence numbers
 * apart from those its last run used. A call that names its own session
 * (session-headers.ts) uses that one, and counts towards the same limit.
 */
export interface ClientSlot {
  readonly client: ClientId
  seq: number
}

interface Lease {
  readonly slot: ClientSlot
  /** Whether the slot is one of this node's, to lend again once released. */
  readonly lent: boolean
}

export class ClientSlots {
  private readonly free: Array<ClientSlot> = []
  private created = 0
  private inFlight = 0

  constructor(private readonly prefix: string, private readonly limit: number) {}

  /**
   * The session for one call: `named`, the client's own, or else a slot of
   * this node's with its next sequence number taken; undefined when `limit`
   * calls are in flight already.
   */
  lease(named: ClientSlot | undefined): Lease | undefined {
    if (this.inFlight >= this.limit) return undefined
    this.inFlight++
    if (named !== undefined) return { slot: named, lent: false }
    const slot = this.free.pop() ?? { client: `${this.prefix}.${this.created++}`, seq: 0 }
    slot.seq++
    return { slot, lent: true }
  }

  release(lease: Lease): void {
    this.inFlight--
    if (lease.lent) this.free.push(lease.slot)
  }
}
