/**
 * A history file read into operations: its lines decoded as records (JSON
 * lines, or the EDN Jepsen writes), each invocation paired with its
 * process's next completion, and each pair read by the model. A `fail`
 * completion means the operation did not happen, so it is left out; an
 * `info` one, or none by the end of the history, leaves its outcome unknown.
 * Operations of the `nemesis` process are faults, not clients: skipped.
 */
import type { Operation } from "@parley/core"
import { Result } from "effect"
import { readEdn } from "./edn.ts"
import type { AnyHistoryModel } from "./model.ts"
import { recordOf } from "./record.ts"
import type { HistoryRecord, LineRecord, Scalar } from "./record.ts"

export type HistoryFormat = "jsonl" | "edn"

/** An operation of the history, with where it came from. Its times are its lines. */
export interface HistoryOperation extends Operation<unknown, unknown> {
  readonly process: Scalar
  readonly f: string
  readonly line: number
  readonly completionLine: number | undefined
  /** `info` for an info completion, `open` for none by the end of the history. */
  readonly status: "ok" | "info" | "open"
}

export interface History {
  readonly operations: ReadonlyArray<HistoryOperation>
  readonly counts: { readonly ok: number; readonly info: number; readonly open: number; readonly failed: number; readonly skipped: number }
}

/** The format a file's name or first character says it is in. */
export const formatOf = (path: string, text: string): HistoryFormat => {
  if (path.endsWith(".edn")) return "edn"
  if (path.endsWith(".jsonl") || path.endsWith(".json") || path.endsWith(".ndjson")) return "jsonl"
  return /^\s*\{\s*"/.test(text) ? "jsonl" : "edn"
}

/** Every record of the text with its line, or the first one that does not decode. */
export const readRecords = (text: string, format: HistoryFormat): Result.Result<Array<LineRecord>, string> =>
  format === "edn" ? ednRecords(text) : jsonRecords(text)

const jsonRecords = (text: string): Result.Result<Array<LineRecord>, string> => {
  const records: Array<LineRecord> = []
  const lines = text.split("\n")
  for (let index = 0; index < lines.length; index++) {
    const source = lines[index]!.trim()
    if (source === "") continue
    let value: unknown
    try {
      value = JSON.parse(source)
    } catch (error) {
      return Result.fail(`line ${index + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`)
    }
    const record = recordOf(value)
    if (Result.isFailure(record)) return Result.fail(`line ${index + 1}: ${record.failure}`)
    records.push({ line: index + 1, record: record.success })
  }
  return Result.succeed(records)
}

const ednRecords = (text: string): Result.Result<Array<LineRecord>, string> =>
  Result.flatMap(readEdn(text), (forms) => {
    const records: Array<LineRecord> = []
    for (const form of forms) {
      const record = recordOf(form.value)
      if (Result.isFailure(record)) return Result.fail(`line ${form.line}: ${record.failure}`)
      records.push({ line: form.line, record: record.success })
    }
    return Result.succeed(records)
  })

interface Open {
  readonly line: number
  readonly record: HistoryRecord
}

/** The history's operations as `model` reads them, or the first line that does not make sense. */
export const pairOperations = (model: AnyHistoryModel, records: ReadonlyArray<LineRecord>): Result.Result<History, string> => {
  const open = new Map<Scalar, Open>()
  const operations: Array<HistoryOperation> = []
  const counts = { ok: 0, info: 0, open: 0, failed: 0, skipped: 0 }
  for (const { line, record } of records) {
    if (record.process === "nemesis") {
      counts.skipped++
      continue
    }
    const invoked = open.get(record.process)
    if (record.type === "invoke") {
      if (invoked !== undefined) {
        return Result.fail(`line ${line}: process ${record.process} invokes again while its operation from line ${invoked.line} is still open`)
      }
      open.set(record.process, { line, record })
      continue
    }
    if (invoked === undefined) return Result.fail(`line ${line}: process ${record.process} completes (${record.type}) an operation it never invoked`)
    if (record.f !== invoked.record.f) {
      return Result.fail(`line ${line}: process ${record.process} completes "${record.f}" but invoked "${invoked.record.f}" on line ${invoked.line}`)
    }
    open.delete(record.process)
    if (record.type === "fail") {
      counts.failed++
      continue
    }
    const operation = readOperation(model, invoked, { line, record })
    if (Result.isFailure(operation)) return Result.fail(operation.failure)
    counts[record.type === "ok" ? "ok" : "info"]++
    operations.push(operation.success)
  }
  for (const invoked of open.values()) {
    const operation = readOperation(model, invoked, undefined)
    if (Result.isFailure(operation)) return Result.fail(operation.failure)
    counts.open++
    operations.push(operation.success)
  }
  return Result.succeed({ operations: operations.sort((a, b) => a.line - b.line), counts })
}

const readOperation = (model: AnyHistoryModel, invoked: Open, completion: Open | undefined): Result.Result<HistoryOperation, string> => {
  const ok = completion?.record.type === "ok"
  const read = model.read({
    f: invoked.record.f,
    key: invoked.record.key ?? completion?.record.key,
    invokeValue: invoked.record.value,
    okValue: ok ? completion?.record.value : undefined,
    outcome: ok ? "ok" : "unknown"
  })
  const lines = completion === undefined ? `line ${invoked.line}` : `lines ${invoked.line}-${completion.line}`
  if (Result.isFailure(read)) return Result.fail(`${lines} (process ${invoked.record.process}, "${invoked.record.f}"): ${read.failure}`)
  const { input, output } = read.success
  const completionLine = completion?.line
  return Result.succeed({
    client: String(invoked.record.process),
    process: invoked.record.process,
    f: invoked.record.f,
    line: invoked.line,
    completionLine,
    status: completion === undefined ? "open" : ok ? "ok" : "info",
    input,
    invokedAt: invoked.line,
    outcome: ok && completionLine !== undefined ? { _tag: "Returned", output, returnedAt: completionLine } : { _tag: "Pending" }
  })
}
