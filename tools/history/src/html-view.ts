/**
 * A verdict as one self-contained HTML page, what Porcupine's visualisation
 * shows Go users: the operations of the partition at fault, one row per
 * process on a time axis (the order of the history's lines), the longest
 * linearizable prefix found numbered in its order, with the model after
 * each, and the operation that cannot be placed after it in red. No script
 * or style is fetched; the page opens scrolled to that operation.
 */
import { escapeHtml as escape, staticDocument } from "@parley/web"
import type { CheckedHistory } from "./check.ts"
import type { HistoryOperation } from "./history.ts"
import type { AnyHistoryModel } from "./model.ts"
import { renderVerdict } from "./render.ts"

const ROW_HEIGHT = 26
const BAR_HEIGHT = 18
const STEP = 14
const LABEL_WIDTH = 90

interface Placement {
  /** 1-based position in the prefix's linearization, and the model after it. */
  readonly order: number
  readonly modelAfter: string
}

/** Where each operation of the prefix goes in it, and the model it leaves. */
const placements = (model: AnyHistoryModel, prefix: ReadonlyArray<HistoryOperation>): Map<HistoryOperation, Placement> => {
  const placed = new Map<HistoryOperation, Placement>()
  let state = model.spec.init()
  prefix.forEach((operation, index) => {
    state = model.spec.apply(state, operation.input).model
    placed.set(operation, { order: index + 1, modelAfter: model.showModel(state) })
  })
  return placed
}

const describe = (model: AnyHistoryModel, operation: HistoryOperation, placement: Placement | undefined, blocked: boolean): string => {
  const lines = operation.completionLine === undefined ? `line ${operation.line}` : `lines ${operation.line}-${operation.completionLine}`
  const output = operation.outcome._tag === "Returned" ? ` → ${model.showOutput(operation.outcome.output)}` : " (outcome unknown)"
  const where = placement !== undefined
    ? `\nlinearized #${placement.order}; the model holds ${placement.modelAfter} after it`
    : blocked
    ? "\ncannot be placed after the prefix"
    : "\nnot in the prefix"
  return `process ${operation.process}, ${lines}: ${model.showInput(operation.input)}${output}${where}`
}

/** The SVG timeline of `operations`. */
const timeline = (model: AnyHistoryModel, operations: ReadonlyArray<HistoryOperation>, prefix: ReadonlyArray<HistoryOperation>, blocked: HistoryOperation | undefined): string => {
  const ticks = [...new Set(operations.flatMap((operation) => [operation.line, operation.completionLine ?? operation.line]))].sort((a, b) => a - b)
  const x = new Map(ticks.map((line, rank) => [line, LABEL_WIDTH + rank * STEP]))
  const end = LABEL_WIDTH + ticks.length * STEP + 40
  const processes = [...new Set(operations.map((operation) => String(operation.process)))].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
  const row = new Map(processes.map((process, index) => [process, index]))
  const placed = placements(model, prefix)
  const bars = operations.map((operation) => {
    const left = x.get(operation.line)!
    // An operation whose outcome is unknown may take effect at any time after its call.
    const right = operation.outcome._tag === "Returned" ? x.get(operation.outcome.returnedAt)! : end
    const top = row.get(String(operation.process))! * ROW_HEIGHT + 4
    const placement = placed.get(operation)
    const isBlocked = operation === blocked
    const kind = isBlocked ? "blocked" : placement !== undefined ? "prefix" : operation.outcome._tag === "Pending" ? "pending" : "other"
    const label = placement === undefined ? model.showInput(operation.input) : `#${placement.order} ${model.showInput(operation.input)}`
    const id = isBlocked ? ' id="blocked"' : ""
    return `<g class="${kind}"${id}><title>${escape(describe(model, operation, placement, isBlocked))}</title>` +
      `<rect x="${left}" y="${top}" width="${Math.max(right - left, 6)}" height="${BAR_HEIGHT}" rx="3"/>` +
      `<text x="${left + 3}" y="${top + 13}">${escape(label)}</text></g>`
  })
  const labels = processes.map((process, index) => `<text class="process" x="4" y="${index * ROW_HEIGHT + 17}">process ${escape(process)}</text>`)
  const height = processes.length * ROW_HEIGHT + 8
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${end}" height="${height}">${labels.join("")}${bars.join("\n")}</svg>`
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222 }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto }
.scroll { overflow-x: auto; border: 1px solid #ddd; padding: 4px 0 }
svg text { font: 11px ui-monospace, monospace; pointer-events: none; white-space: pre }
svg .process { fill: #555 }
g rect { stroke: #777; stroke-width: 1 }
g.prefix rect { fill: #b8e0b8 } g.blocked rect { fill: #f08080; stroke: #b00; stroke-width: 2 }
g.other rect { fill: #e4e4e4 } g.pending rect { fill: #fff; stroke-dasharray: 4 3 }
.legend span { display: inline-block; padding: 0 .6em; margin-right: .6em; border: 1px solid #777; border-radius: 3px }`

/** The page for `checked`, a history read from `source` and checked against `model`. */
export const renderHistoryHtml = (model: AnyHistoryModel, checked: CheckedHistory, source: string): string => {
  const { result } = checked
  const summary = `<pre>${escape(renderVerdict(checked.verdict, source))}</pre>`
  const title = `${source}: ${checked.verdict.verdict}`
  const heading = `<h1>${escape(title)}</h1>`
  if (result._tag === "Linearizable") {
    return staticDocument({ title, style: STYLE, body: `${heading}${summary}<p>Every operation has a place in a linearization; there is nothing to show.</p>` })
  }
  const body = `${heading}${summary}
<p class="legend"><span style="background:#b8e0b8">#n: the nth operation of the longest linearizable prefix found</span><span style="background:#f08080">cannot be placed after it</span><span style="background:#e4e4e4">not in the prefix</span><span style="border-style:dashed">outcome unknown</span></p>
<p>${result.partition === undefined ? "" : `Key ${escape(JSON.stringify(result.partition))}: `}${result.operations.length} operations, one row per process; time runs left to right in the order of the history's lines. Hover over an operation for its lines, its result and the model after it.</p>
<div class="scroll">${timeline(model, result.operations, result.prefix, result.blocked)}</div>`
  return staticDocument({ title, style: STYLE, body, script: `document.getElementById("blocked")?.scrollIntoView({ inline: "center", block: "nearest" })` })
}
