/**
 * What validate found, as a trace file (core's Schema) that `parley trace
 * show` and `parley trace view` render: the last steps of the run that led
 * to it, each node a lane. Messages, timers and requests print as the
 * checked spec prints them when there is one (requests and responses as
 * the hosted spec does, if it says how), else as JSON.
 */
import { TraceFormat } from "@parley/core"
import type { AnyHostedSpec, AnySystemSpec, NodeId, Output, SpecConfig, StepEvent, TraceFile, TraceStep } from "@parley/core"
import type { GlobalEvent } from "./merge.ts"

/** How one run's values print. */
export interface Printer {
  message(message: unknown): string
  timer(timer: unknown): string
  request(request: unknown): string
  response(response: unknown): string
  /** A lane: a node's state as the trace shows it. */
  view(state: unknown): unknown
}

const json = (value: unknown): string => JSON.stringify(value)

export const printerOf = (system: AnySystemSpec | undefined, hosted?: AnyHostedSpec): Printer => ({
  message: system === undefined ? json : (message) => system.formatMessage(message),
  timer: system === undefined ? json : (timer) => system.formatTimer(timer),
  request: hosted?.formatRequest !== undefined
    ? (request) => hosted.formatRequest!(request)
    : system?.formatRequest === undefined
    ? json
    : (request) => system.formatRequest!(request),
  response: hosted?.formatResponse !== undefined
    ? (response) => hosted.formatResponse!(response)
    : system?.formatResponse === undefined
    ? json
    : (response) => system.formatResponse!(response),
  view: system?.view === undefined ? (state) => state : (state) => system.view!(state)
})

type AnyOutput = Output<unknown, unknown, unknown>

const sentOf = (printer: Printer, out: ReadonlyArray<AnyOutput>) => {
  const sent = out.flatMap((output) => (output._tag === "Send" ? [{ to: output.to, message: printer.message(output.message) }] : []))
  return sent.length === 0 ? {} : { sent }
}

const repliesOf = (printer: Printer, out: ReadonlyArray<AnyOutput>): string =>
  out.flatMap((output) => (output._tag === "Reply" ? [`; answers ${output.client}: ${printer.response(output.response)}`] : [])).join("")

/** A run's event as a trace step's event and its action's name. */
export const describeEvent = (printer: Printer, event: GlobalEvent): { readonly event: StepEvent; readonly action: string } => {
  if (event._tag === "Crash") return { event: { _tag: "Crash", node: event.node }, action: `${event.node} crashes` }
  const { step } = event
  const node = step.node
  const input = step.logged.input
  const sent = sentOf(printer, step.out)
  const replies = repliesOf(printer, step.out)
  switch (input._tag) {
    case "Init":
      return { event: { _tag: "Local", node, label: `${node} starts`, ...sent }, action: `${node} starts` }
    case "Recover":
      return { event: { _tag: "Restart", node, ...sent }, action: `${node} restarts from its durable state` }
    case "Message": {
      const message = printer.message(input.message)
      return { event: { _tag: "Deliver", from: input.from, to: node, message, ...sent }, action: `${node} receives ${message} from ${input.from}${replies}` }
    }
    case "Timer": {
      const timer = printer.timer(input.timer)
      return { event: { _tag: "Timer", node, timer, ...sent }, action: `${node} timer ${timer}${replies}` }
    }
    case "Request": {
      const label = `${node} takes ${printer.request(input.request)} from ${input.client}${replies}`
      return { event: { _tag: "Local", node, label, ...sent }, action: label }
    }
  }
}

/** Every node's lane: its view while up, its durable state while down. */
export const lanesOf = (printer: Printer, nodes: ReadonlyMap<NodeId, { readonly up: boolean; readonly value: unknown }>): Record<string, unknown> => {
  const lanes: Record<string, unknown> = {}
  for (const [node, slot] of nodes) lanes[node] = slot.up ? printer.view(slot.value) : { down: true, durable: slot.value }
  return lanes
}

export interface TraceInput {
  readonly spec: string
  readonly config: SpecConfig
  readonly property: string
  readonly initial: Record<string, unknown>
  readonly steps: ReadonlyArray<TraceStep>
}

export const traceFile = (input: TraceInput): TraceFile => ({
  format: TraceFormat,
  spec: input.spec,
  config: input.config,
  property: { name: input.property, kind: "always" },
  initial: input.initial,
  steps: input.steps
})

/**
 * The trace of `events[from..to]` (to included), each step with every
 * node's lane after it; `durable` gives a crashed node's durable state.
 */
export const traceOfRun = (
  printer: Printer,
  events: ReadonlyArray<GlobalEvent>,
  to: number,
  window: number,
  durable: (node: NodeId, state: unknown) => unknown,
  extra?: TraceStep
): { readonly initial: Record<string, unknown>; readonly steps: ReadonlyArray<TraceStep> } => {
  const from = Math.max(0, to + 1 - window)
  const nodes = new Map<NodeId, { up: boolean; value: unknown }>()
  const apply = (event: GlobalEvent): void => {
    if (event._tag === "Crash") {
      const slot = nodes.get(event.node)
      if (slot?.up) nodes.set(event.node, { up: false, value: durable(event.node, slot.value) })
    } else {
      nodes.set(event.step.node, { up: true, value: event.step.after })
    }
  }
  for (let index = 0; index < from; index++) apply(events[index]!)
  const initial = lanesOf(printer, nodes)
  const steps: Array<TraceStep> = []
  for (let index = from; index <= to; index++) {
    const event = events[index]!
    apply(event)
    const { event: stepEvent, action } = describeEvent(printer, event)
    steps.push({ action, event: stepEvent, lanes: lanesOf(printer, nodes) })
  }
  if (extra !== undefined) steps.push(extra)
  return { initial, steps }
}
