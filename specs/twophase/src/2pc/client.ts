/** The `2pc` system's one client: it asks the coordinator for the one transaction. */
import type { Client } from "@parley/core"
import { COORDINATOR } from "./coordinator.ts"
import { begin } from "./messages.ts"
import type { TwoPcDecision, TwoPcRequest, TwoPcResponse } from "./messages.ts"

/** What the client has heard: nothing yet, or the outcome. */
export type TwoPcClientState = TwoPcDecision | null

/** Sends one Begin to the coordinator and remembers the outcome it is told. */
export const twoPcClient: Client<TwoPcClientState, TwoPcRequest, TwoPcResponse> = {
  init: () => ({ state: null, out: [{ _tag: "Request", to: COORDINATOR, request: begin }] }),
  onResponse: (_state, _from, response) => ({ state: response.decision, out: [] }),
  onTimer: (state) => ({ state, out: [] })
}
