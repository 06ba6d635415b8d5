/**
 * The `2pc` system's clients, each asking the coordinator for one
 * transaction. The first writes one key on every participant; each other
 * writes the first participant's key too, so two transactions contend for
 * one lock and the checker meets conflicts.
 */
import type { Client, NodeId } from "@parley/core"
import { COORDINATOR } from "./coordinator.ts"
import type { TwoPcDecision, TwoPcRequest, TwoPcResponse, Write } from "./messages.ts"
import { keyOwnedBy } from "./shards.ts"

/** What a client has heard: nothing yet, or the outcome. */
export type TwoPcClientState = TwoPcDecision | null

/** What the `index`th client (from 0) writes: keys named `k1`, `k2`, … that the participants own. */
export const clientWrites = (participants: ReadonlyArray<NodeId>, index: number): ReadonlyArray<Write> => {
  const value = `v${index + 1}`
  const owners = index === 0 ? participants : participants.slice(0, 1)
  return owners.map((owner) => ({ key: keyOwnedBy(participants, owner, "k"), value }))
}

/** Sends one Begin to the coordinator and remembers the outcome it is told. */
export const twoPcClient = (writes: ReadonlyArray<Write>): Client<TwoPcClientState, TwoPcRequest, TwoPcResponse> => ({
  init: () => ({ state: null, out: [{ _tag: "Request", to: COORDINATOR, request: { _tag: "Begin", seq: 1, writes } }] }),
  onResponse: (state, _from, response) => ({ state: response._tag === "Outcome" ? response.decision : state, out: [] }),
  onTimer: (state) => ({ state, out: [] })
})
