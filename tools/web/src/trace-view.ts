import type { StepEvent, TraceFile } from "@parley/core"
import { describeProperty, laneNames, participants, verdict } from "@parley/trace"
import { changedParts } from "./state-diff.ts"
import type { MessageView, StepView, TraceView, VerdictView } from "./view-model.ts"

interface Envelope {
  readonly from: string
  readonly to: string
  readonly message: string
}

/** The node that acts in a step: the receiver of a message, else the node the event happens at. */
const actingNode = (event: StepEvent): string => event._tag === "Deliver" || event._tag === "Drop" ? event.to : event.node

const sentIn = (event: StepEvent): ReadonlyArray<{ readonly to: string; readonly message: string }> =>
  "sent" in event ? event.sent ?? [] : []

const consumes = (event: StepEvent): Envelope | undefined =>
  event._tag === "Deliver" || event._tag === "Drop" ? event : undefined

const sameEnvelope = (a: Envelope, b: Envelope): boolean =>
  a.from === b.from && a.to === b.to && a.message === b.message

/**
 * Every message of the behaviour with the step that sent it and the step that
 * delivered or lost it. A trace holds no network, so one is rebuilt from the
 * events: a message delivered that no earlier step sent was in flight from the
 * start. On a duplicating network a delivery leaves the message in flight.
 */
export const messageHistory = (trace: TraceFile): {
  readonly messages: ReadonlyArray<MessageView>
  readonly consumed: ReadonlyArray<number | null>
  readonly sent: ReadonlyArray<ReadonlyArray<number>>
} => {
  const duplicating = trace.config["network"] === "duplicating"
  const messages: Array<{ -readonly [K in keyof MessageView]: MessageView[K] }> = []
  const inFlight: Array<number> = []
  const consumed: Array<number | null> = []
  const sent: Array<ReadonlyArray<number>> = []
  const add = (envelope: Envelope, sentAt: number): number => {
    messages.push({ from: envelope.from, to: envelope.to, message: envelope.message, sentAt, endedAt: null, lost: false })
    inFlight.push(messages.length - 1)
    return messages.length - 1
  }
  trace.steps.forEach((step, index) => {
    const position = index + 1
    const envelope = consumes(step.event)
    let taken: number | null = null
    if (envelope !== undefined) {
      const at = inFlight.findIndex((id) => sameEnvelope(messages[id]!, envelope))
      taken = at === -1 ? add(envelope, 0) : inFlight[at]!
      const lost = step.event._tag === "Drop"
      if (lost || !duplicating) {
        inFlight.splice(inFlight.indexOf(taken), 1)
        messages[taken] = { ...messages[taken]!, endedAt: position, lost }
      }
    }
    consumed.push(taken)
    const node = actingNode(step.event)
    sent.push(sentIn(step.event).map((s) => add({ from: node, to: s.to, message: s.message }, position)))
  })
  return { messages, consumed, sent }
}

/** The indices of the messages in flight at a position (0 = the initial state). */
export const inFlightAt = (messages: ReadonlyArray<MessageView>, position: number): ReadonlyArray<number> =>
  messages.flatMap((m, id) => m.sentAt <= position && (m.endedAt === null || m.endedAt > position) ? [id] : [])

const verdictView = (trace: TraceFile): VerdictView => {
  const steps = trace.steps.length
  const loopStart = trace.loopStart
  const loop = loopStart !== undefined && loopStart < steps ? { first: loopStart + 1, last: steps } : null
  return {
    name: trace.property.name,
    kind: trace.property.kind,
    claim: describeProperty(trace),
    verdict: verdict(trace),
    brokenAt: loop === null ? steps : loop.first - 1,
    loop
  }
}

/** A trace as its page draws it: lanes, per-step changes, the messages' lives, the verdict. */
export const traceView = (trace: TraceFile): TraceView => {
  const { messages, consumed, sent } = messageHistory(trace)
  let before = trace.initial
  const steps = trace.steps.map((step, index): StepView => {
    const changed = changedParts(before, step.lanes)
    before = step.lanes
    return {
      action: step.action,
      event: step.event,
      lanes: step.lanes,
      changed,
      consumed: consumed[index] ?? null,
      sent: sent[index] ?? [],
      participants: participants(step.event)
    }
  })
  return {
    title: `${trace.spec}: ${trace.property.name}`,
    config: Object.entries(trace.config).map(([key, value]) => `${key}=${String(value)}`),
    lanes: laneNames(trace),
    initial: trace.initial,
    steps,
    messages,
    verdict: verdictView(trace)
  }
}
