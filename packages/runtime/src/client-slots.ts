import type { ClientId } from "@parley/core"

/**
 * The client identities this node's API uses towards the reducer. A
 * reducer's session (Raft thesis §6.3) assumes one operation at a time per
 * client, so each HTTP operation in flight takes a slot of its own, with its
 * own sequence numbers, and gives it back when answered; at most as many
 * sessions exist as operations were ever concurrent. The incarnation keeps a
 * restarted node's sequence numbers apart from those its last run used.
 */
export interface ClientSlot {
  readonly client: ClientId
  seq: number
}

export class ClientSlots {
  private readonly free: Array<ClientSlot> = []
  private created = 0

  constructor(private readonly prefix: string, private readonly limit: number) {}

  /** A slot with its next sequence number taken; undefined when `limit` operations are in flight already. */
  lease(): ClientSlot | undefined {
    const slot = this.free.pop() ?? (this.created < this.limit ? { client: `${this.prefix}.${this.created++}`, seq: 0 } : undefined)
    if (slot !== undefined) slot.seq++
    return slot
  }

  release(slot: ClientSlot): void {
    this.free.push(slot)
  }
}
