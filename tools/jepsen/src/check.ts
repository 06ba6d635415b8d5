/**
 * The recorded history checked for linearizability, exactly as
 * `parley history check history.jsonl --model NAME` checks the file the
 * report writes: record n is line n, so the verdict's lines are the file's.
 */
import { checkHistory, pairOperations } from "@parley/history"
import type { AnyHistoryModel, CheckedHistory } from "@parley/history"
import type { SearchBudget } from "@parley/core"
import { Result } from "effect"
import type { TestRecord } from "./recorder.ts"

export const checkRecords = (model: AnyHistoryModel, records: ReadonlyArray<TestRecord>, budget: SearchBudget): Result.Result<CheckedHistory, string> => {
  const lines = records.map((record, index) => ({ line: index + 1, record }))
  return Result.map(pairOperations(model, lines), (history) => checkHistory(model, history, budget))
}
