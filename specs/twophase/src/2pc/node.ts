/**
 * The one actor every node of the `2pc` system runs, dispatching on its role:
 * the coordinator's reducer (coordinator.ts) or a participant's
 * (participant.ts).
 */
import type { Actor } from "@parley/core"
import {
  COORDINATOR,
  coordinatorDurable,
  coordinatorInit,
  coordinatorOnMessage,
  coordinatorOnRequest,
  coordinatorOnTimer,
  coordinatorRecover
} from "./coordinator.ts"
import type { CoordinatorConfig, CoordinatorState } from "./coordinator.ts"
import type { TwoPcLog, TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer } from "./messages.ts"
import {
  participantDurable,
  participantInit,
  participantOnMessage,
  participantOnTimer,
  participantRecover
} from "./participant.ts"
import type { ParticipantState } from "./participant.ts"

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
