import type { SpecConfig, TraceFile } from "@parley/core"
import type { Paint } from "./ansi.ts"
import { arrayDelta } from "./diff.ts"
import { showValue } from "./show.ts"

/** A value on one side of a change; `undefined` there means the field or lane was absent. */
export const showSide = (value: unknown): string => value === undefined ? "(absent)" : showValue(value)

/**
 * A change of value as `old → new`, or, for two arrays that share elements
 * (a message bag gaining a message), as the elements added and removed.
 */
export const showTransition = (paint: Paint, before: unknown, after: unknown): string => {
  const delta = arrayDelta(before, after)
  if (delta === undefined) return `${paint("red", showSide(before))} → ${paint("green", showSide(after))}`
  return [
    ...delta.added.map((item) => paint("green", `+${showValue(item)}`)),
    ...delta.removed.map((item) => paint("red", `−${showValue(item)}`))
  ].join(", ")
}

/** `k=v, k=v`, in the config's order. */
export const showConfig = (config: SpecConfig): string =>
  Object.entries(config).map(([key, value]) => `${key}=${String(value)}`).join(", ")

/** The closing line: what the last state shows about the property. */
export const verdict = (trace: TraceFile): string => {
  const { name, kind } = trace.property
  const where = trace.steps.length === 0 ? "in the initial state" : `after step ${trace.steps.length}`
  switch (kind) {
    case "always":
      return `✗ ${name} does not hold ${where}`
    case "deadlock":
      return `✗ deadlock: nothing can happen ${where}`
    case "sometimes":
      return `✓ ${name} holds ${where}`
    case "eventually":
      return `✗ ${name} never holds: ${forever(trace)}`
    case "leadsTo":
      return `✗ ${name}: its premise held, and its goal never holds after: ${forever(trace)}`
  }
}

/** How a lasso goes on forever: its cycle repeats, or its last state lasts. */
const forever = (trace: TraceFile): string => {
  const steps = trace.steps.length
  const loopStart = trace.loopStart ?? steps
  if (loopStart >= steps) {
    const state = steps === 0 ? "the initial state" : `the state after step ${steps}`
    return `the system may stay in ${state} forever, no fair action being enabled there`
  }
  return `steps ${loopStart + 1}–${steps} may repeat forever, each fair action they leave enabled taken in them`
}
