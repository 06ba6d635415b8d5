/**
 * A test's report directory: the history (JSON lines that
 * `parley history check --model kv` reads back to the same verdict), the
 * nemesis log, the verdict as JSON (with its Schema), the nodes' logs, and
 * pages: the timeline of operations and faults, and for an anomaly the
 * history checker's own view of the key at fault.
 */
import { HistoryVerdict, renderHistoryHtml, renderVerdict } from "@parley/history"
import { escapeHtml as escape, staticDocument } from "@parley/web"
import { Schema } from "effect"
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs"
import { basename, join } from "node:path"
import type { NemesisEvent } from "./recorder.ts"
import type { TestRun } from "./run.ts"
import { describeOperation, faultSpans, operationsOf, timelineStyle, timelineSvg } from "./timeline.ts"
import type { TimedOperation } from "./timeline.ts"

export const TestVerdict = Schema.Struct({
  /** valid: linearizable and recovered; invalid: an anomaly; unknown: the check ran out of its budget. */
  verdict: Schema.Literals(["valid", "invalid", "unknown"]),
  anomalies: Schema.Array(Schema.String),
  spec: Schema.String,
  variant: Schema.NullOr(Schema.String),
  workload: Schema.String,
  nodes: Schema.Int,
  clients: Schema.Int,
  keys: Schema.Int,
  nemesis: Schema.Array(Schema.String),
  seed: Schema.Int,
  /** Where the nodes ran: on loopback, or each in its own network namespace (partitions cut in the network). */
  net: Schema.optional(Schema.Literals(["loopback", "netns"])),
  /** Whether the clients spoke HTTPS to the nodes, trusting the cluster's CA. */
  clientTls: Schema.optional(Schema.Boolean),
  durationMs: Schema.Finite,
  faults: Schema.Record(Schema.String, Schema.Int),
  /** The history check's verdict, as `parley history check --json` prints it. */
  history: HistoryVerdict,
  /** `parley validate` of the nodes' event logs: replayed through the spec's reducer, merged, invariants and history checked. */
  eventLogs: Schema.optional(Schema.Struct({
    verdict: Schema.Literals(["valid", "invalid", "unknown"]),
    summary: Schema.String,
    /** The trace of a divergence or violation, in the report. */
    trace: Schema.NullOr(Schema.String)
  })),
  /** For an operation that cannot be linearized: the node that answered it and the faults in force when it ran. */
  culprit: Schema.optional(Schema.Struct({ operation: Schema.String, node: Schema.NullOr(Schema.String), faults: Schema.Array(Schema.String) }))
})
export type TestVerdict = typeof TestVerdict.Type

export interface ReportSettings {
  readonly spec: string
  readonly variant: string | undefined
  readonly workload: string
  readonly clients: number
  readonly keys: number
  readonly nemesis: ReadonlyArray<string>
  readonly seed: number
  readonly net?: "loopback" | "netns"
  readonly clientTls?: boolean
}

const countFaults = (faults: ReadonlyArray<NemesisEvent>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const event of faults) if (event.phase === "start") counts[event.fault] = (counts[event.fault] ?? 0) + 1
  return counts
}

/** The operation at `line` with the faults under way while it ran. */
const culpritOf = (run: TestRun, operations: ReadonlyArray<TimedOperation>, line: number) => {
  const operation = operations.find((candidate) => candidate.line === line)
  if (operation === undefined) return undefined
  const from = operation.invoke.time
  const to = operation.completion?.time ?? run.durationMs
  const faults = faultSpans(run.faults, run.durationMs)
    .filter((fault) => !fault.failed && fault.fromMs <= to && fault.toMs >= from)
    .map((fault) => `${fault.description} (${(fault.fromMs / 1000).toFixed(1)}–${(fault.toMs / 1000).toFixed(1)} s)`)
  return { operation: describeOperation(operation), node: operation.completion?.node ?? null, faults }
}

/** What `parley validate` said of the test's event logs. */
export type EventLogsVerdict = NonNullable<TestVerdict["eventLogs"]>

export const verdictOf = (run: TestRun, settings: ReportSettings, operations: ReadonlyArray<TimedOperation>, eventLogs?: EventLogsVerdict): TestVerdict => {
  const history = run.checked.verdict
  const anomalies = [
    ...(history.verdict === "not-linearizable" ? [`not linearizable${history.partition === undefined ? "" : ` (key ${history.partition})`}`] : []),
    ...(eventLogs?.verdict === "invalid" ? [`event logs: ${eventLogs.summary}`] : []),
    ...(run.unrecovered === undefined ? [] : [`the cluster did not recover once the faults were undone: ${run.unrecovered}`])
  ]
  const culprit = history.blocked === undefined ? undefined : culpritOf(run, operations, history.blocked.line)
  return {
    verdict: anomalies.length > 0 ? "invalid" : history.verdict === "unknown" ? "unknown" : "valid",
    anomalies,
    spec: settings.spec,
    variant: settings.variant ?? null,
    workload: settings.workload,
    nodes: run.nodes.length,
    clients: settings.clients,
    keys: settings.keys,
    nemesis: [...settings.nemesis],
    seed: settings.seed,
    ...(settings.net === undefined ? {} : { net: settings.net }),
    ...(settings.clientTls === true ? { clientTls: true } : {}),
    durationMs: run.durationMs,
    faults: countFaults(run.faults),
    history,
    ...(eventLogs === undefined ? {} : { eventLogs }),
    ...(culprit === undefined ? {} : { culprit })
  }
}

/** The verdict as text: the headline, the figures, the faults, the checker's verdict, and who answered what went wrong. */
export const renderTestVerdict = (verdict: TestVerdict, historyFile: string): string => {
  const name = `${verdict.spec}${verdict.variant === null ? "" : ` --variant ${verdict.variant}`}`
  const headline = verdict.verdict === "valid" ? "no anomaly found" : verdict.verdict === "unknown" ? "UNKNOWN (the check ran out of its budget)" : `ANOMALY: ${verdict.anomalies.join("; ")}`
  const faults = Object.entries(verdict.faults).map(([kind, count]) => `${kind} ${count}`).join(", ") || "none"
  const lines = [
    `parley test ${name}: ${headline}`,
    `  ${(verdict.durationMs / 1000).toFixed(1)} s, ${verdict.nodes} nodes${verdict.net === "netns" ? " in network namespaces" : ""}, ${verdict.clients} clients${verdict.clientTls === true ? " over HTTPS" : ""}, ${verdict.keys} keys at a time, seed ${verdict.seed}; faults: ${faults}`,
    ...renderVerdict(verdict.history, historyFile).split("\n").map((line) => `  ${line}`)
  ]
  if (verdict.eventLogs !== undefined) {
    lines.push(`  event logs: ${verdict.eventLogs.verdict}; ${verdict.eventLogs.summary}${verdict.eventLogs.trace === null ? "" : ` (trace: ${verdict.eventLogs.trace})`}`)
  }
  if (verdict.culprit !== undefined) {
    lines.push(`  that operation: ${verdict.culprit.operation}`)
    lines.push(`    faults while it ran: ${verdict.culprit.faults.length === 0 ? "none" : verdict.culprit.faults.join("; ")}`)
  }
  return lines.join("\n")
}

const PAGE_STYLE = `body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222 } pre { background: #f6f6f6; padding: 1em; overflow-x: auto }
.scroll { overflow-x: auto; border: 1px solid #ddd } ${timelineStyle}`

/** Widest the whole-test timeline is drawn, in pixels. */
const overviewWidth = 16_000
/** The zoomed view spans this long either side of the operation at fault. */
const zoomMs = 2500

const timelinePage = (run: TestRun, verdict: TestVerdict, operations: ReadonlyArray<TimedOperation>, text: string): string => {
  const blocked = verdict.history.blocked?.line
  const marks = new Map<number, string>((verdict.history.prefixTail ?? []).map((operation) => [operation.line, "prefix"]))
  if (blocked !== undefined) marks.set(blocked, "blocked")
  const spans = faultSpans(run.faults, run.durationMs)
  const rowOf = (process: number) => process % verdict.clients
  const base = { rowOf, rows: verdict.clients, key: verdict.history.partition, marks }
  const overview = timelineSvg(operations, spans, { ...base, fromMs: 0, toMs: run.durationMs, pxPerMs: Math.min(0.25, overviewWidth / run.durationMs), labels: false })
  const at = operations.find((operation) => operation.line === blocked)?.invoke.time
  const zoom = at === undefined ? "" : `<h2>Around the operation at fault (key ${escape(verdict.history.partition ?? "")}, ±${zoomMs / 1000} s)</h2>
<div class="scroll" id="zoom">${timelineSvg(operations, spans, { ...base, fromMs: Math.max(0, at - zoomMs), toMs: at + zoomMs, pxPerMs: 0.6, labels: true })}</div>`
  const anomaly = verdict.history.verdict === "linearizable" ? "" : `<p>The checker's view of the key: <a href="anomaly.html">anomaly.html</a>.</p>`
  const title = `parley test ${verdict.spec}${verdict.variant === null ? "" : ` --variant ${verdict.variant}`}: ${verdict.verdict}`
  const body = `<h1>${escape(title)}</h1>
<pre>${escape(text)}</pre>${anomaly}
<p>One row per client, time left to right; each operation a bar from its call to its answer: reads blue, writes green, compare-and-sets violet, refused grey, unknown outcome yellow and dashed. Faults are bands: kill red, pause blue, partition orange, restart violet. ${verdict.history.partition === undefined ? "" : "Operations of other keys are faded; the operation that cannot be linearized is red, the last operations linearized before it outlined. "}Hover for details.</p>
${zoom}
<h2>The whole test</h2>
<div class="scroll">${overview}</div>`
  return staticDocument({ title, style: PAGE_STYLE, body, script: `document.querySelector("#zoom g.blocked")?.scrollIntoView({ inline: "center", block: "nearest" })` })
}

export interface WrittenReport {
  readonly verdict: TestVerdict
  readonly text: string
}

/** Writes the report into `dir`; `logs` are the nodes' log files to copy; `eventLogs`, what validating the nodes' event logs found. */
export const writeReport = (dir: string, run: TestRun, settings: ReportSettings, logs: ReadonlyArray<string>, eventLogs?: EventLogsVerdict): WrittenReport => {
  mkdirSync(join(dir, "logs"), { recursive: true })
  const operations = operationsOf(run.records)
  const verdict = verdictOf(run, settings, operations, eventLogs)
  const historyFile = join(dir, "history.jsonl")
  const text = renderTestVerdict(verdict, historyFile)
  writeFileSync(historyFile, run.records.map((record) => JSON.stringify(record)).join("\n") + "\n")
  writeFileSync(join(dir, "nemesis.jsonl"), run.faults.map((event) => JSON.stringify(event)).join("\n") + (run.faults.length > 0 ? "\n" : ""))
  writeFileSync(join(dir, "verdict.json"), JSON.stringify(verdict, null, 2) + "\n")
  writeFileSync(join(dir, "summary.txt"), text + "\n")
  writeFileSync(join(dir, "timeline.html"), timelinePage(run, verdict, operations, text))
  if (run.checked.verdict.verdict !== "linearizable") writeFileSync(join(dir, "anomaly.html"), renderHistoryHtml(run.model, run.checked, historyFile))
  for (const log of logs) if (existsSync(log)) copyFileSync(log, join(dir, "logs", basename(log)))
  return { verdict, text }
}
