/**
 * The one actor every node of the `2pc` system runs, dispatching on its role:
 * the node `coordinator` runs the coordinator's reducer (coordinator.ts),
 * every other node a participant's (participant.ts).
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
  participantOnRequest,
  participantOnTimer,
  participantRecover
} from "./participant.ts"
import type { ParticipantState } from "./participant.ts"

export type TwoPcNodeState = CoordinatorState | ParticipantState

export type TwoPcActor = Actor<TwoPcNodeState, TwoPcMessage, TwoPcTimer, TwoPcRequest, TwoPcResponse, TwoPcLog>

export const twoPcActor = (config: CoordinatorConfig): TwoPcActor => ({
  init: (ctx) => (ctx.self === COORDINATOR ? coordinatorInit() : participantInit(ctx.self)),
  onMessage: (state, from, message) =>
    state.role === "coordinator"
      ? coordinatorOnMessage(config, state, from, message)
      : participantOnMessage(config, state, from, message),
  onTimer: (state, timer) =>
    state.role === "coordinator" ? coordinatorOnTimer(config, state, timer) : participantOnTimer(config, state, timer),
  onRequest: (state, client, request) =>
    state.role === "coordinator"
      ? coordinatorOnRequest(config, state, client, request)
      : participantOnRequest(config, state, client, request),
  durable: (state) => (state.role === "coordinator" ? coordinatorDurable(state) : participantDurable(state)),
  recover: (ctx, log) => (log.role === "coordinator" ? coordinatorRecover(log) : participantRecover(config, ctx.self, log))
})
