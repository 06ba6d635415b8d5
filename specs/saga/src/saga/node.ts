/**
 * The actors of the orchestrated saga: the orchestrator, and one service
 * per step. Each node is given its own actor, so the `no-idempotency`
 * variant can break the payment service alone.
 */
import { step } from "@parley/core"
import type { Actor } from "@parley/core"
import {
  orchestratorDurable,
  orchestratorInit,
  orchestratorOnMessage,
  orchestratorOnRequest,
  orchestratorOnTimer,
  orchestratorRecover
} from "./orchestrator.ts"
import type { OrchestratorConfig, OrchestratorState } from "./orchestrator.ts"
import type { Policy } from "../policy.ts"
import type { SagaDurable, SagaMessage, SagaTimer } from "./messages.ts"
import type { SagaRequest } from "../requests.ts"
import type { SagaResponse } from "./responses.ts"
import { initialService, serviceDurable, serviceOnMessage, serviceOnRequest, serviceOnTimer, serviceRecover } from "./service.ts"
import type { SagaServiceConfig, ServiceState } from "./service.ts"

export type SagaNodeState = OrchestratorState | ServiceState

export type SagaActor = Actor<SagaNodeState, SagaMessage, SagaTimer, SagaRequest, SagaResponse, SagaDurable>

const wrongRecord = (node: string, tag: string): never => {
  throw new TypeError(`saga: the ${node} cannot recover from a durable record tagged ${tag}`)
}

export const orchestratorActor = (config: OrchestratorConfig): SagaActor => ({
  init: () => orchestratorInit(config),
  onMessage: (s, _from, m) => (s.role === "orchestrator" ? orchestratorOnMessage(config, s, m) : step(s)),
  onTimer: (s, timer) => (s.role === "orchestrator" ? orchestratorOnTimer(config, s, timer) : step(s)),
  onRequest: (s, client, request) => (s.role === "orchestrator" ? orchestratorOnRequest(config, s, client, request) : step(s)),
  durable: (s) => (s.role === "orchestrator" ? orchestratorDurable(s) : serviceDurable(s)),
  recover: (_ctx, d) => (d._tag === "Orchestrator" ? orchestratorRecover(config, d) : wrongRecord("orchestrator", d._tag))
})

/** `config.idempotent: false` is the payment service of the `no-idempotency` variant; `policy` is how it decides until told otherwise. */
export const serviceActor = (config: SagaServiceConfig, policy: Policy): SagaActor => ({
  init: () => step(initialService(policy)),
  onMessage: (s, _from, m) => (s.role === "service" ? serviceOnMessage(config, s, m) : step(s)),
  onTimer: (s, timer) => (s.role === "service" ? serviceOnTimer(config, s, timer) : step(s)),
  onRequest: (s, client, request) => (s.role === "service" ? serviceOnRequest(config, s, client, request) : step(s)),
  durable: (s) => (s.role === "service" ? serviceDurable(s) : orchestratorDurable(s)),
  recover: (_ctx, d) => (d._tag === "Service" ? serviceRecover(d) : wrongRecord("service", d._tag))
})
