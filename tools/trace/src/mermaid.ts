import type { StepEvent, TraceFile } from "@parley/core"
import { painter } from "./ansi.ts"
import { showConfig, showSide, showTransition, verdict } from "./describe.ts"
import { diffLanes, type LaneChange } from "./diff.ts"
import { laneNames } from "./lanes.ts"
import { showKey, showValue } from "./show.ts"

const ENTITIES: Readonly<Record<string, string>> = { "#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;" }

/**
 * Text as Mermaid reads it on one line: `;` would end the statement and `#`
 * start an entity code, `<` and `>` would be taken as HTML, so they become
 * Mermaid's entity codes, in one pass so no code is escaped again.
 */
export const escapeMermaid = (text: string): string =>
  text.replace(/\s*\n\s*/g, " ").replace(/[#;<>]/g, (char) => ENTITIES[char] ?? char)

const RESERVED = new Set([
  "activate", "actor", "alt", "and", "autonumber", "box", "break", "create", "critical", "deactivate", "destroy",
  "else", "end", "left", "link", "links", "loop", "note", "of", "opt", "over", "par", "participant", "rect", "right",
  "title"
])

const SAFE_ID = /^[A-Za-z][A-Za-z0-9_]*$/

/** Mermaid ids for lanes: the lane name where Mermaid takes it as is, else `laneN` with the name as alias. */
const participantIds = (lanes: ReadonlyArray<string>): ReadonlyMap<string, string> =>
  new Map(lanes.map((lane, i) => [lane, SAFE_ID.test(lane) && !RESERVED.has(lane.toLowerCase()) ? lane : `lane${i}`]))

const plain = painter(false)

const showChange = (change: LaneChange): string => {
  switch (change._tag) {
    case "Field":
      return `${showKey(change.field)}: ${showTransition(plain, change.before, change.after)}`
    case "Whole":
      return showTransition(plain, change.before, change.after)
    case "Down":
      return change.durable === undefined ? "DOWN" : `DOWN, keeps durable ${showSide(change.durable)}`
    case "Up":
      return `up again: ${showValue(change.state)}`
  }
}

const eventLine = (event: StepEvent, id: (lane: string) => string): string => {
  switch (event._tag) {
    case "Deliver":
      return `${id(event.from)}->>${id(event.to)}: ${escapeMermaid(event.message)}`
    case "Drop":
      return `${id(event.from)}-x${id(event.to)}: ${escapeMermaid(event.message)} (lost)`
    case "Timer":
      return `Note over ${id(event.node)}: ⏰ timer ${escapeMermaid(event.timer)}`
    case "Crash":
      return `Note over ${id(event.node)}: 💥 CRASH`
    case "Restart":
      return `Note over ${id(event.node)}: ↻ restart`
    case "Local":
      return `Note over ${id(event.node)}: • ${escapeMermaid(event.label)}`
  }
}

/** A note over every lane (or the one lane there is). */
const overAll = (lanes: ReadonlyArray<string>, id: (lane: string) => string): string => {
  const first = lanes[0]
  const last = lanes[lanes.length - 1]
  if (first === undefined || last === undefined) return ""
  return first === last ? id(first) : `${id(first)},${id(last)}`
}

/**
 * A counterexample as a Mermaid sequence diagram: a participant per lane, an
 * arrow per delivered or lost message, a note per timer, crash, restart or
 * local step, and a note over each lane whose state changed, naming only the
 * fields that changed.
 */
export const renderMermaid = (trace: TraceFile): string => {
  const lanes = laneNames(trace)
  const ids = participantIds(lanes)
  const id = (lane: string): string => ids.get(lane) ?? lane
  const config = showConfig(trace.config)
  const out: Array<string> = ["sequenceDiagram"]
  const { name, kind } = trace.property
  const claim = `${kind === "sometimes" ? "reaches" : "violates"} ${name} (${kind})`
  out.push(`  title ${escapeMermaid(`${trace.spec}${config === "" ? "" : ` (${config})`}: ${claim}`)}`)
  for (const lane of lanes) {
    out.push(id(lane) === lane ? `  participant ${lane}` : `  participant ${id(lane)} as ${escapeMermaid(lane)}`)
  }
  for (const lane of lanes) {
    if (Object.hasOwn(trace.initial, lane)) {
      out.push(`  Note over ${id(lane)}: initial ${escapeMermaid(showValue(trace.initial[lane]))}`)
    }
  }

  let before = trace.initial
  let inLoop = false
  for (const [index, step] of trace.steps.entries()) {
    if (index === trace.loopStart) {
      out.push(`  loop steps ${index + 1}–${trace.steps.length} repeat forever`)
      inLoop = true
    }
    const indent = inLoop ? "    " : "  "
    out.push(indent + eventLine(step.event, id))
    const changes = diffLanes(before, step.lanes, lanes)
    for (const lane of lanes) {
      const mine = changes.filter((change) => change.lane === lane)
      if (mine.length > 0) {
        out.push(`${indent}Note over ${id(lane)}: ${mine.map((c) => escapeMermaid(showChange(c))).join("<br/>")}`)
      }
    }
    before = step.lanes
  }
  if (inLoop) out.push("  end")
  if (lanes.length > 0) out.push(`  Note over ${overAll(lanes, id)}: ${escapeMermaid(verdict(trace))}`)
  return out.join("\n")
}
