import type { StepEvent, TraceFile } from "@parley/core"

/** The nodes an event draws on: sender and receiver, or the one node it happens at. */
export const participants = (event: StepEvent): ReadonlyArray<string> => {
  switch (event._tag) {
    case "Deliver":
    case "Drop":
      return [event.from, event.to]
    case "Timer":
    case "Crash":
    case "Restart":
    case "Local":
      return [event.node]
  }
}

/**
 * The columns of a diagram: the initial state's lanes in their order, then
 * lanes that appear only later, then nodes that events name but no lane holds
 * (a TLA+-style model may act as `tm` without a `tm` lane), so every event has
 * a column to be drawn on.
 */
export const laneNames = (trace: TraceFile): ReadonlyArray<string> => {
  const names = new Set(Object.keys(trace.initial))
  for (const step of trace.steps) for (const lane of Object.keys(step.lanes)) names.add(lane)
  for (const step of trace.steps) for (const node of participants(step.event)) names.add(node)
  return [...names]
}
