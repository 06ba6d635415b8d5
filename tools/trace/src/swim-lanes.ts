import type { StepEvent, TraceFile } from "@parley/core"
import { type Paint, painter, type Style } from "./ansi.ts"
import { showConfig, showSide, showTransition, verdict } from "./describe.ts"
import { diffLanes, isDown, type LaneChange } from "./diff.ts"
import { laneNames } from "./lanes.ts"
import { Row } from "./row.ts"
import { showKey, showValue, truncate } from "./show.ts"

export interface SwimLaneOptions {
  /** ANSI colours; off unless asked for, and with it off no escape code is written. */
  readonly color?: boolean
  /** Total width in columns the diagram aims for; 100 unless given. */
  readonly width?: number
}

const DEFAULT_WIDTH = 100
/** Room left of the first lane for step numbers. */
const GUTTER = 6
const MIN_COLUMN = 10
const MAX_COLUMN = 32

interface Layout {
  readonly lanes: ReadonlyArray<string>
  readonly width: number
  readonly column: number
  readonly center: (lane: string) => number
}

const layout = (lanes: ReadonlyArray<string>, width: number): Layout => {
  const column = Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, Math.floor((width - GUTTER) / Math.max(1, lanes.length))))
  const index = new Map(lanes.map((lane, i) => [lane, i]))
  return {
    lanes,
    width,
    column,
    center: (lane) => GUTTER + (index.get(lane) ?? 0) * column + Math.floor(column / 2)
  }
}

/** A row of lane lines: solid while a node is up, dotted while it is down. */
const barsRow = (l: Layout, down: ReadonlySet<string>): Row => {
  const row = new Row()
  for (const lane of l.lanes) row.put(l.center(lane), down.has(lane) ? "┆" : "│", down.has(lane) ? "dim" : undefined)
  return row
}

const downLanes = (lanes: Readonly<Record<string, unknown>>): ReadonlySet<string> =>
  new Set(Object.keys(lanes).filter((lane) => isDown(lanes[lane])))

const headerRow = (l: Layout): Row => {
  const row = new Row()
  for (const lane of l.lanes) {
    const name = truncate(lane, l.column - 1)
    row.put(l.center(lane) - Math.floor(Array.from(name).length / 2), name, "bold")
  }
  return row
}

/** An arrow between two different lanes' lines, with the lanes it crosses and its label on it. */
const drawArrow = (
  row: Row,
  l: Layout,
  from: string,
  to: string,
  label: string,
  lost: boolean
): void => {
  const start = l.center(from)
  const end = l.center(to)
  const style: Style = lost ? "red" : "cyan"
  const rightward = start < end
  const [left, right] = rightward ? [start, end] : [end, start]
  const dash = lost ? "╌" : "─"
  const head = lost ? "✗" : rightward ? "▶" : "◀"
  row.put(left + 1, dash.repeat(right - left - 1), style)
  for (const lane of l.lanes) {
    const crossing = l.center(lane)
    if (crossing > left && crossing < right) row.put(crossing, "┼", style)
  }
  row.put(start, rightward ? "├" : "┤", style)
  row.put(rightward ? end - 1 : end + 1, head, style)
  // Next to the sender when it fits there, so the crossed lanes stay visible.
  const [spanLeft, spanRight] = labelSpan(l, start, end, Array.from(label).length)
  const room = spanRight - spanLeft - 5
  const text = ` ${truncate(label, room)} `
  const length = Array.from(text).length
  if (room > 0) {
    row.put(spanLeft + 1 + Math.floor((spanRight - spanLeft - 1 - length) / 2), text, lost ? "red" : "boldCyan")
  }
}

/** Where an arrow's label goes: the stretch from the sender to the next lane, or the whole arrow. */
const labelSpan = (l: Layout, start: number, end: number, length: number): readonly [number, number] => {
  const centers = l.lanes.map(l.center)
  const next = start < end
    ? Math.min(...centers.filter((c) => c > start))
    : Math.max(...centers.filter((c) => c < start))
  const [a, b] = start < end ? [start, next] : [next, start]
  if (b - a - 5 >= length) return [a, b]
  return start < end ? [start, end] : [end, start]
}

/** A mark on one lane's line with a label to its right, kept clear of the next lane. */
const drawMark = (row: Row, l: Layout, node: string, mark: string, label: string, style: Style): void => {
  const at = l.center(node)
  const last = l.lanes.indexOf(node) === l.lanes.length - 1
  const room = last ? Math.max(l.column - 2, l.width - at - 2) : l.column - 2
  row.put(at, mark, style)
  row.put(at + 1, ` ${truncate(label, room - 1)}`, style)
}

const eventRow = (l: Layout, event: StepEvent, down: ReadonlySet<string>): Row => {
  const row = barsRow(l, down)
  switch (event._tag) {
    case "Deliver":
      if (event.from === event.to) drawMark(row, l, event.to, "↺", event.message, "cyan")
      else drawArrow(row, l, event.from, event.to, event.message, false)
      break
    case "Drop":
      if (event.from === event.to) drawMark(row, l, event.to, "✗", `${event.message} (lost)`, "red")
      else drawArrow(row, l, event.from, event.to, `${event.message} (lost)`, true)
      break
    case "Timer":
      drawMark(row, l, event.node, "◷", `timer ${event.timer}`, "yellow")
      break
    case "Crash":
      drawMark(row, l, event.node, "✖", "CRASH", "boldRed")
      break
    case "Restart":
      drawMark(row, l, event.node, "↻", "restart", "green")
      break
    case "Local":
      drawMark(row, l, event.node, "•", event.label, "magenta")
      break
  }
  return row
}

const sentOf = (event: StepEvent) => "sent" in event ? event.sent ?? [] : []

const showChange = (paint: Paint, change: LaneChange): string => {
  switch (change._tag) {
    case "Field":
      return `${paint("bold", `${change.lane}.${showKey(change.field)}`)}: ${
        showTransition(paint, change.before, change.after)
      }`
    case "Whole":
      return `${paint("bold", change.lane)}: ${showTransition(paint, change.before, change.after)}`
    case "Down": {
      const down = `${paint("bold", change.lane)}: ${paint("boldRed", "up → DOWN")}`
      return change.durable === undefined ? down : `${down}, keeps only its durable state ${showSide(change.durable)}`
    }
    case "Up":
      return `${paint("bold", change.lane)}: ${paint("green", "DOWN → up")} with ${showValue(change.state)}`
  }
}

/** One sentence: what the trace shows about its property. */
export const describeProperty = (trace: TraceFile): string => {
  const { name, kind } = trace.property
  switch (kind) {
    case "always":
      return `violates ${name} (always): the last state breaks this invariant`
    case "deadlock":
      return `violates ${name} (deadlock): no action is enabled in the last state`
    case "sometimes":
      return `reaches ${name} (sometimes): the last state satisfies it`
    case "eventually":
      return `violates ${name} (eventually): a fair behaviour that never satisfies it, a path into a loop`
    case "leadsTo":
      return `violates ${name} (leads-to): a fair behaviour that reaches its premise and never its goal, a path into a loop`
  }
}

/**
 * A counterexample as a swim-lane sequence diagram for the terminal: one
 * vertical line per node, one row per step with its arrow or mark, the
 * messages it sent, and only the state fields that changed.
 */
export const renderSwimLanes = (trace: TraceFile, options: SwimLaneOptions = {}): string => {
  const paint = painter(options.color === true)
  const l = layout(laneNames(trace), options.width ?? DEFAULT_WIDTH)
  const indent = " ".repeat(GUTTER)
  const out: Array<string> = []

  const steps = trace.steps.length
  const config = showConfig(trace.config)
  const title = `${paint("bold", `Trace of ${trace.spec}`)}${config === "" ? "" : ` (${config})`}`
  out.push(`${title}, ${steps} step${steps === 1 ? "" : "s"}`)
  out.push(paint(trace.property.kind === "sometimes" ? "green" : "boldRed", describeProperty(trace)))
  out.push("")

  out.push(paint("bold", "Initial state"))
  const initialLanes = l.lanes.filter((lane) => Object.hasOwn(trace.initial, lane))
  const nameWidth = Math.max(0, ...initialLanes.map((lane) => lane.length))
  for (const lane of initialLanes) {
    out.push(`  ${paint("bold", lane.padEnd(nameWidth))}  ${showValue(trace.initial[lane])}`)
  }
  out.push("")

  let down = downLanes(trace.initial)
  out.push(headerRow(l).render(paint))
  out.push(barsRow(l, down).render(paint))

  let before = trace.initial
  for (const [index, step] of trace.steps.entries()) {
    if (index === trace.loopStart) {
      out.push(paint("yellow", `${indent}╭─ loop: steps ${index + 1}–${steps} repeat forever`))
    }
    const number = paint("bold", String(index + 1).padStart(GUTTER - 2))
    out.push(`${number}  ${truncate(step.action, l.width - GUTTER)}`)

    down = downLanes(step.lanes)
    out.push(eventRow(l, step.event, down).render(paint))

    const sent = sentOf(step.event)
    if (sent.length > 0) {
      out.push(`${indent}${paint("dim", "sends:")} ${sent.map((s) => `${s.message} → ${s.to}`).join(", ")}`)
    }
    const changes = diffLanes(before, step.lanes, l.lanes)
    for (const change of changes) out.push(`${indent}${showChange(paint, change)}`)
    if (changes.length === 0) out.push(`${indent}${paint("dim", "(no state change)")}`)

    out.push(barsRow(l, down).render(paint))
    before = step.lanes
  }
  if (trace.loopStart !== undefined && trace.loopStart < steps) {
    out.push(paint("yellow", `${indent}╰─ back to step ${trace.loopStart + 1}`))
  }
  out.push(paint(trace.property.kind === "sometimes" ? "green" : "boldRed", `${indent}${verdict(trace)}`))
  return out.join("\n")
}
