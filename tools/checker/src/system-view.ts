import type { Envelope, NodeSlot, SentMessage, StepEvent, SystemState } from "@parley/core/model"
import type { SystemAction, SystemSteps } from "./system-steps.ts"

/**
 * What a trace shows of a system: each step as an event, with what it sent
 * (gathered by replaying the step with a `sent` array, off the hot loop),
 * and each node and client as a lane.
 */
export const describeStep = <S, M, T, Req, Res, D, CS, CT>(
  steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>,
  state: SystemState<S, M, T, Req, Res, D, CS, CT>,
  action: SystemAction
): StepEvent => {
  const { spec, network, nodeIds, clientIds } = steps
  const envelopes: Array<Envelope<M, Req, Res>> = []
  const after = steps.next(state, action, envelopes)
  const sent: ReadonlyArray<SentMessage> = after === undefined ? [] : envelopes.map((envelope) => ({ to: envelope.to, message: formatBody(steps, envelope) }))
  switch (action._tag) {
    case "Deliver":
    case "Drop": {
      const envelope = network.peek(state.network, action.slot)
      const event = { from: envelope.from, to: envelope.to, message: formatBody(steps, envelope) }
      return steps.isLost(state, action) ? { _tag: "Drop", ...event } : withSent({ _tag: "Deliver", ...event }, sent)
    }
    case "NodeTimer": {
      const node = state.nodes[action.node] as Extract<NodeSlot<S, T, D>, { up: true }>
      return withSent({ _tag: "Timer", node: nodeIds[action.node]!, timer: spec.formatTimer(node.timers[action.timer]!) }, sent)
    }
    case "ClientTimer": {
      const timer = formatClientTimer(state.clients[action.client]!.timers[action.timer])
      return withSent({ _tag: "Timer", node: clientIds[action.client]!, timer }, sent)
    }
    case "Crash":
      return { _tag: "Crash", node: nodeIds[action.node]! }
    case "Restart":
      return withSent({ _tag: "Restart", node: nodeIds[action.node]! }, sent)
  }
}

/** Each node and client as a lane of a trace: a live node's state (or the spec's view of it), a crashed one's durable state. */
export const systemLanes = <S, M, T, Req, Res, D, CS, CT>(
  steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>,
  state: SystemState<S, M, T, Req, Res, D, CS, CT>
): Readonly<Record<string, unknown>> => {
  const { spec, nodeIds, clientIds } = steps
  const view: Record<string, unknown> = {}
  state.nodes.forEach((node, index) => {
    view[nodeIds[index]!] = node.up
      ? withPendingTimers(spec.view === undefined ? node.state : spec.view(node.state), node.timers.map(spec.formatTimer))
      : { down: true, durable: node.durable }
  })
  state.clients.forEach((slot, index) => {
    view[clientIds[index]!] = withPendingTimers(slot.state, slot.timers.map(formatClientTimer))
  })
  return view
}

const formatBody = <M, Req, Res>(steps: SystemSteps<unknown, M, unknown, Req, Res, unknown, unknown, unknown>, envelope: Envelope<M, Req, Res>): string => {
  const { spec } = steps
  switch (envelope.kind) {
    case "message":
      return spec.formatMessage(envelope.body)
    case "request":
      return spec.formatRequest?.(envelope.body) ?? "request"
    case "response":
      return spec.formatResponse?.(envelope.body) ?? "response"
  }
}

const withSent = <E extends StepEvent>(event: E, sent: ReadonlyArray<SentMessage>): E => sent.length === 0 ? event : { ...event, sent }

/** A lane shows the pending timers too, so a trace explains why a timer could fire. */
const withPendingTimers = (shown: unknown, timers: ReadonlyArray<string>): unknown => {
  if (timers.length === 0) return shown
  const pending = [...timers].sort()
  return typeof shown === "object" && shown !== null && !Array.isArray(shown)
    ? { ...shown, timers: pending }
    : { state: shown, timers: pending }
}

/** A SystemSpec formats node timers only; a client's timer is shown as its data. */
const formatClientTimer = (timer: unknown): string => typeof timer === "string" ? timer : JSON.stringify(timer)
