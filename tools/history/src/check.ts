/**
 * A history checked against a model, and the verdict as data: what
 * `parley history check --json` prints (with a Schema, so a script can
 * decode it) and what the text and HTML renderings read.
 */
import { checkLinearizability } from "@parley/core"
import type { LinearizabilityResult, SearchBudget } from "@parley/core"
import { Schema } from "effect"
import type { History, HistoryOperation } from "./history.ts"
import type { AnyHistoryModel } from "./model.ts"
import { Scalar } from "./record.ts"

export const OperationView = Schema.Struct({
  process: Scalar,
  f: Schema.String,
  line: Schema.Int,
  completionLine: Schema.NullOr(Schema.Int),
  status: Schema.Literals(["ok", "info", "open"]),
  /** The operation as the model shows it (`write 3`, `cas 1→2 [x]`), and what it returned. */
  operation: Schema.String,
  output: Schema.NullOr(Schema.String)
})
export type OperationView = typeof OperationView.Type

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export const HistoryVerdict = Schema.Struct({
  verdict: Schema.Literals(["linearizable", "not-linearizable", "unknown"]),
  model: Schema.String,
  operations: Schema.Struct({ ok: Count, info: Count, open: Count, failed: Count, skipped: Count }),
  /** The partition (key) that is not linearizable, or that the budget ran out in. */
  partition: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.Literals(["time", "memory"])),
  /** The longest linearizable prefix found: its length, the lines of its operations in order, and its last few. */
  prefixLength: Schema.optional(Count),
  prefixLines: Schema.optional(Schema.Array(Schema.Int)),
  prefixTail: Schema.optional(Schema.Array(OperationView)),
  modelAfterPrefix: Schema.optional(Schema.String),
  /** The returned operation that cannot be placed after the prefix. */
  blocked: Schema.optional(OperationView),
  stats: Schema.Struct({
    partitions: Count,
    decided: Count,
    explored: Count,
    memoEntries: Count,
    memoBytes: Count,
    milliseconds: Schema.Finite
  })
})
export type HistoryVerdict = typeof HistoryVerdict.Type

/** How many of the prefix's last operations a verdict lists. */
const TAIL = 8

export interface CheckedHistory {
  readonly verdict: HistoryVerdict
  /** The search's own result, for the HTML view. */
  readonly result: LinearizabilityResult<HistoryOperation>
}

export const checkHistory = (model: AnyHistoryModel, history: History, budget: SearchBudget): CheckedHistory => {
  const result = checkLinearizability(model.spec, history.operations, { budget })
  const view = viewOf(model)
  const stats = { ...result.stats, milliseconds: Math.round(result.stats.milliseconds * 10) / 10 }
  const base = { model: model.name, operations: history.counts, stats }
  if (result._tag === "Linearizable") return { result, verdict: { verdict: "linearizable", ...base } }
  const prefix = {
    ...(result.partition === undefined ? {} : { partition: result.partition }),
    prefixLength: result.prefix.length,
    prefixLines: result.prefix.map((operation) => operation.line),
    prefixTail: result.prefix.slice(-TAIL).map(view)
  }
  if (result._tag === "NotLinearizable") {
    const verdict = { verdict: "not-linearizable", ...base, ...prefix, modelAfterPrefix: model.showModel(result.model), blocked: view(result.blocked) } as const
    return { result, verdict }
  }
  const blocked = result.blocked === undefined ? {} : { blocked: view(result.blocked) }
  return { result, verdict: { verdict: "unknown", ...base, ...prefix, reason: result.reason, ...blocked } }
}

/** An operation as a verdict shows it. */
export const viewOf = (model: AnyHistoryModel) => (operation: HistoryOperation): OperationView => ({
  process: operation.process,
  f: operation.f,
  line: operation.line,
  completionLine: operation.completionLine ?? null,
  status: operation.status,
  operation: model.showInput(operation.input),
  output: operation.outcome._tag === "Returned" ? model.showOutput(operation.outcome.output) : null
})
