/** A verdict as text for the terminal. */
import type { HistoryVerdict, OperationView } from "./check.ts"

const count = (n: number): string => n.toLocaleString("en-US")

const lines = (operation: OperationView): string =>
  operation.completionLine === null ? `line ${operation.line}` : `lines ${operation.line}-${operation.completionLine}`

/** `lines 12-15  process 3  read → 4`, with `→ ?` for an outcome nobody knows. */
export const showOperation = (operation: OperationView): string => {
  const result = operation.output === null ? (operation.f === "read" ? " → ?" : " (outcome unknown)") : operation.f === "read" ? ` → ${operation.output}` : ""
  return `${lines(operation).padEnd(16)} process ${String(operation.process).padEnd(4)} ${operation.operation}${result}`
}

const where = (verdict: HistoryVerdict): string => (verdict.partition === undefined ? "" : `key ${JSON.stringify(verdict.partition)}: `)

export const renderVerdict = (verdict: HistoryVerdict, source: string): string => {
  const { ok, info, open, failed, skipped } = verdict.operations
  const total = ok + info + open
  const parts = [`${count(ok)} ok`, `${count(info + open)} with unknown outcome`, `${count(failed)} failed (left out)`]
  if (skipped > 0) parts.push(`${count(skipped)} nemesis records skipped`)
  const out = [`${source}: ${headline(verdict)} (${verdict.model} model; ${count(total)} operations: ${parts.join(", ")})`]
  if (verdict.verdict !== "linearizable") out.push(...explanation(verdict))
  const { explored, memoBytes, milliseconds, partitions, decided } = verdict.stats
  const keys = partitions > 1 ? `, ${count(decided)} of ${count(partitions)} keys decided` : ""
  out.push(`  searched ${count(explored)} configurations in ${(milliseconds / 1000).toFixed(2)} s (largest memo ${(memoBytes / 1e6).toFixed(1)} MB${keys})`)
  return out.join("\n")
}

const headline = (verdict: HistoryVerdict): string => {
  switch (verdict.verdict) {
    case "linearizable":
      return "linearizable"
    case "not-linearizable":
      return "NOT linearizable"
    case "unknown":
      return `UNKNOWN: the ${verdict.reason === "memory" ? "memory" : "time"} budget ran out`
  }
}

const explanation = (verdict: HistoryVerdict): Array<string> => {
  const out: Array<string> = []
  const length = verdict.prefixLength ?? 0
  const tail = verdict.prefixTail ?? []
  if (length === 0) out.push(`  ${where(verdict)}no operation can be linearized first`)
  else {
    const shown = tail.length < length ? `; its last ${tail.length}:` : ":"
    out.push(`  ${where(verdict)}the longest linearizable prefix found has ${count(length)} operations${shown}`)
    for (const operation of tail) out.push(`    ${showOperation(operation)}`)
  }
  if (verdict.blocked !== undefined) {
    const after = verdict.modelAfterPrefix === undefined ? "" : ` (the model holds ${verdict.modelAfterPrefix} after it)`
    out.push(`  ${verdict.verdict === "unknown" ? "the search was stuck at" : "this operation cannot be placed next"}${after}:`)
    out.push(`    ${showOperation(verdict.blocked)}`)
  }
  if (verdict.verdict === "unknown") out.push("  raise --time-limit or --memory-limit to search further")
  return out
}
