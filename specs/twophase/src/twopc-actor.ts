/**
 * The one actor every node of the `2pc` system runs, dispatching on its role
 * (the coordinator's reducer or a participant's), and the client that asks
 * for the one transaction.
 */
import type { Actor, Client } from "@parley/core"
import {
  COORDINATOR,
  coordinatorDurable,
  coordinatorInit,
  coordinatorOnMessage,
  coordinatorOnRequest,
  coordinatorOnTimer,
  coordinatorRecover
} from "./twopc-coordinator.ts"
import type { CoordinatorConfig, CoordinatorState } from "./twopc-coordinator.ts"
import { begin } from "./twopc-messages.ts"
import type { TwoPcDecision, TwoPcLog, TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer } from "./twopc-messages.ts"
import {
  participantDurable,
  participantInit,
  participantOnMessage,
  participantOnTimer,
  participantRecover
} from "./twopc-participant.ts"
import type { ParticipantState } from "./twopc-participant.ts"

export type TwoPcNodeState = CoordinatorState | ParticipantState

export type TwoPcActor = Actor<TwoPcNodeState, TwoPcMessage, TwoPcTimer, TwoPcRequest, TwoPcResponse, TwoPcLog>

/** The node with id `coordinator` coordinates; every other node is a participant. */
export const twoPcActor = (config: CoordinatorConfig): TwoPcActor => ({
  init: (ctx) => (ctx.self === COORDINATOR ? coordinatorInit() : participantInit()),
  onMessage: (state, from, message) =>
    state.role === "coordinator"
      ? coordinatorOnMessage(config, state, from, message)
      : participantOnMessage(state, from, message),
  onTimer: (state, timer) =>
    state.role === "coordinator" ? coordinatorOnTimer(config, state, timer) : participantOnTimer(state, timer),
  // Clients talk to the coordinator; a participant has no client API.
  onRequest: (state, client, request) =>
    state.role === "coordinator" ? coordinatorOnRequest(config, state, client, request) : { state, out: [] },
  durable: (state) => (state.role === "coordinator" ? coordinatorDurable(state) : participantDurable(state)),
  recover: (_ctx, log) => (log.role === "coordinator" ? coordinatorRecover(config, log) : participantRecover(log))
})

/** What the client has heard: nothing yet, or the outcome. */
export type TwoPcClientState = TwoPcDecision | null

/** Sends one Begin to the coordinator and remembers the outcome it is told. */
export const twoPcClient: Client<TwoPcClientState, TwoPcRequest, TwoPcResponse> = {
  init: () => ({ state: null, out: [{ _tag: "Request", to: COORDINATOR, request: begin }] }),
  onResponse: (_state, _from, response) => ({ state: response.decision, out: [] }),
  onTimer: (state) => ({ state, out: [] })
}
