/**
 * A test's operations and faults on one time axis, as SVG: a row per client
 * (its successive processes), each operation a bar from its invocation to
 * its completion, coloured by outcome, and each fault a band across every
 * row from its start to its end. Operations of one key can be brought
 * forward and the rest faded, and some marked (the one that cannot be
 * linearized, the prefix before it).
 */
import { escapeHtml as escape } from "@parley/web"
import type { NemesisEvent, TestRecord } from "./recorder.ts"

/** An operation: its invocation and completion records (none when it never completed). */
export interface TimedOperation {
  readonly line: number
  readonly invoke: TestRecord
  readonly completion: TestRecord | undefined
}

export interface FaultSpan {
  readonly kind: string
  readonly description: string
  readonly fromMs: number
  readonly toMs: number
  readonly failed: boolean
}

/** Each invocation with its process's next completion; nemesis records are left out (they are faults). */
export const operationsOf = (records: ReadonlyArray<TestRecord>): Array<TimedOperation> => {
  /** Where each process's open operation is in `operations`. */
  const open = new Map<string, number>()
  const operations: Array<TimedOperation> = []
  records.forEach((record, index) => {
    if (record.process === "nemesis") return
    const process = String(record.process)
    if (record.type === "invoke") {
      open.set(process, operations.length)
      operations.push({ line: index + 1, invoke: record, completion: undefined })
      return
    }
    const at = open.get(process)
    if (at === undefined) return
    open.delete(process)
    operations[at] = { ...operations[at]!, completion: record }
  })
  return operations
}

/** Each fault from its start to its end (a fault that is over once done, or failed, is a thin band). */
export const faultSpans = (faults: ReadonlyArray<NemesisEvent>, endMs: number): Array<FaultSpan> =>
  faults.flatMap((event, index) => {
    if (event.phase === "end") return []
    const end = event.phase === "start" && event.fault !== "restart"
      ? faults.slice(index + 1).find((later) => later.fault === event.fault && later.phase !== "start")
      : undefined
    const toMs = event.phase === "error" || event.fault === "restart" ? event.time : end?.time ?? endMs
    return [{ kind: event.fault, description: event.description, fromMs: event.time, toMs, failed: event.phase === "error" }]
  })


const show = (value: unknown): string => (value === undefined ? "" : JSON.stringify(value))

export const describeOperation = (operation: TimedOperation): string => {
  const { invoke, completion } = operation
  const key = invoke.key === undefined ? "" : ` [${invoke.key}]`
  const input = invoke.f === "read" ? "read" : `${invoke.f} ${show(invoke.value)}`
  if (completion === undefined) return `process ${invoke.process}: ${input}${key}, never completed`
  const result = completion.type === "ok" ? (invoke.f === "read" ? ` → ${show(completion.value)}` : " ok") : ` ${completion.type}`
  const node = completion.node === undefined ? "" : ` from ${completion.node}`
  const error = completion.error === undefined ? "" : `: ${completion.error}`
  return `process ${invoke.process}: ${input}${key}${result}${node}${error}`
}

export interface TimelineOptions {
  readonly fromMs: number
  readonly toMs: number
  readonly pxPerMs: number
  /** The row of a process: its client. */
  readonly rowOf: (process: number) => number
  readonly rows: number
  /** Operations of this key drawn in full, the others faded; all in full when undefined. */
  readonly key: string | undefined
  /** Extra classes by an operation's invocation line (`blocked`, `prefix`). */
  readonly marks: ReadonlyMap<number, string>
  /** Operation labels (`read → 4`) inside the bars; for a zoomed view. */
  readonly labels: boolean
}

const ROW = 22
const TOP = 24
const LEFT = 80

const bar = (operation: TimedOperation, options: TimelineOptions, x: (ms: number) => number): string => {
  const { invoke, completion } = operation
  const kind = completion?.type ?? "info"
  const mark = options.marks.get(operation.line) ?? ""
  const faded = options.key !== undefined && String(invoke.key) !== options.key && mark === "" ? " faded" : ""
  const left = x(invoke.time)
  const right = x(completion?.time ?? options.toMs)
  const top = TOP + options.rowOf(Number(invoke.process)) * ROW + 3
  const label = !options.labels ? "" : `<text x="${left + 2}" y="${top + 11}">${escape(invoke.f === "read" && completion?.type === "ok" ? `R ${show(completion.value)}` : `${invoke.f[0]!.toUpperCase()} ${show(invoke.value)}`)}</text>`
  return `<g class="op ${invoke.f} ${kind} ${mark}${faded}"><title>${escape(`lines ${operation.line}: ${describeOperation(operation)} (${invoke.time.toFixed(1)}–${completion?.time.toFixed(1) ?? "?"} ms)`)}</title>` +
    `<rect x="${left.toFixed(1)}" y="${top}" width="${Math.max(right - left, 2).toFixed(1)}" height="${ROW - 6}"/>${label}</g>`
}

export const timelineSvg = (operations: ReadonlyArray<TimedOperation>, faults: ReadonlyArray<FaultSpan>, options: TimelineOptions): string => {
  const x = (ms: number) => LEFT + (Math.min(Math.max(ms, options.fromMs), options.toMs) - options.fromMs) * options.pxPerMs
  const width = Math.ceil(x(options.toMs) + 20)
  const height = TOP + options.rows * ROW + 8
  const inView = (from: number, to: number) => to >= options.fromMs && from <= options.toMs
  const bands = faults.filter((fault) => inView(fault.fromMs, fault.toMs)).map((fault) => {
    const left = x(fault.fromMs)
    return `<g class="fault ${fault.kind}${fault.failed ? " failed" : ""}"><title>${escape(`${fault.description} (${fault.fromMs.toFixed(0)}–${fault.toMs.toFixed(0)} ms)`)}</title>` +
      `<rect x="${left.toFixed(1)}" y="0" width="${Math.max(x(fault.toMs) - left, 2).toFixed(1)}" height="${height}"/>` +
      `<text x="${(left + 2).toFixed(1)}" y="14">${escape(fault.description)}</text></g>`
  })
  const bars = operations.filter((operation) => inView(operation.invoke.time, operation.completion?.time ?? options.toMs)).map((operation) => bar(operation, options, x))
  const step = Math.max(1, 10 ** Math.ceil(Math.log10(100 / options.pxPerMs)))
  const ticks: Array<string> = []
  for (let ms = Math.ceil(options.fromMs / step) * step; ms <= options.toMs; ms += step) {
    ticks.push(`<line class="tick" x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${TOP - 4}" y2="${height}"/><text class="tick" x="${(x(ms) + 2).toFixed(1)}" y="${height - 2}">${(ms / 1000).toFixed(step < 1000 ? 1 : 0)} s</text>`)
  }
  const labels = Array.from({ length: options.rows }, (_, row) => `<text class="row" x="4" y="${TOP + row * ROW + 15}">client ${row}</text>`)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${ticks.join("")}${bands.join("")}${labels.join("")}\n${bars.join("\n")}</svg>`
}

export const timelineStyle = `
svg text { font: 11px ui-monospace, monospace; white-space: pre }
svg .row, svg text.tick { fill: #555 } svg line.tick { stroke: #eee }
g.op rect { stroke: #555; stroke-width: .5 } g.op text { pointer-events: none }
g.op.ok.read rect { fill: #9cc3e6 } g.op.ok.write rect { fill: #a6d9a6 } g.op.ok.cas rect { fill: #c9b3e6 }
g.op.fail rect { fill: #ddd } g.op.info rect { fill: #fff3b0; stroke-dasharray: 3 2 }
g.op.faded { opacity: .25 } g.op.prefix rect { stroke: #d08000; stroke-width: 2 }
g.op.blocked rect { fill: #f08080; stroke: #b00; stroke-width: 2.5 }
g.fault rect { opacity: .18 } g.fault text { fill: #444 }
g.fault.kill rect { fill: #c00 } g.fault.pause rect { fill: #06c } g.fault.partition rect { fill: #e80 } g.fault.restart rect { fill: #909; opacity: .6 }
g.fault.failed rect { fill: #000; opacity: .6 }`
