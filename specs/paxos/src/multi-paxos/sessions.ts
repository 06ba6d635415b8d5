/**
 * Client sessions end by the leader's clock, as Raft's do (thesis §6.3): a
 * request the host stamped with its time (`at`, see hosting.ts) gives its
 * command that time, and every `sessionSweepEvery`th slot's command also
 * carries the time before which idle sessions end. The time is in the
 * chosen command, so every replica applying the slot drops the same
 * sessions. A model's requests carry no time, so its sessions never end.
 */
import type { ClientId } from "@parley/core"
import type { MultiPaxosConfig } from "./config.ts"
import type { Command, MultiPaxosRequest, Slot } from "./messages.ts"

/** Long past any retry of a timed-out request (a request waits at most 60 s); short enough that clients named afresh per operation keep a bounded number. */
export const defaultSessionExpiryMs = 10 * 60_000

/** A sweep costs as much as there are sessions, so it is spread over this many slots. */
export const sessionSweepEvery = 256

export const commandFor = (config: MultiPaxosConfig, slot: Slot, client: ClientId, request: MultiPaxosRequest): Command => {
  const { seq, op, at } = request
  if (at === undefined) return { client, seq, op }
  if (slot % sessionSweepEvery !== 0) return { client, seq, op, at }
  return { client, seq, op, at, expireBefore: at - (config.sessionExpiryMs ?? defaultSessionExpiryMs) }
}
