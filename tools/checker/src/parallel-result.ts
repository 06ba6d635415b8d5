/**
 * The result of a parallel search, put together from what every thread
 * reported of its share (see `parallel.ts`): counts summed, the violation a
 * one-thread BFS would report first among those found, and each
 * `sometimes` property's first witness.
 */
import { rate } from "./exploration.ts"
import type { Exploration, SearchSummary } from "./exploration.ts"
import type { StateTable } from "./state-table.ts"
import type { CheckResult, Path, Violation } from "./types.ts"

export const merge = (
  names: ReadonlyArray<string>,
  explored: Exploration<unknown, unknown>,
  summaries: ReadonlyArray<SearchSummary>,
  table: StateTable,
  startedAt: number,
  stoppedBetweenLevels: boolean,
  livenessCutShort: ReadonlyArray<string> | undefined
): CheckResult => {
  const { interrupted: _mainStopped, ...sequential } = explored.result()
  const all = [explored.summary(), ...summaries]
  const interrupted = stoppedBetweenLevels || all.some((s) => s.interrupted)
  const violations = all.flatMap((s) => (s.violation === undefined ? [] : [s.violation]))
  const violation: Violation | undefined = violations.sort(byPath)[0]
  const reached: Array<{ property: string; path: Path }> = []
  const unreached: Array<string> = []
  const witnesses = firstWitnesses(all)
  names.forEach((property, i) => {
    if (witnesses[i]! < 0) unreached.push(property)
    else reached.push({ property, path: table.pathTo(witnesses[i]!) })
  })
  const elapsedMs = performance.now() - startedAt
  return {
    ...sequential,
    result: violation !== undefined ? "violation" : interrupted || all.some((s) => s.bounded) ? "bounded" : "ok",
    ...(violation === undefined && interrupted ? { interrupted: true } : {}),
    ...(violation === undefined ? {} : { violation }),
    distinctStates: table.size,
    generatedStates: total(all),
    ...(sequential.skippedTransitions === undefined ? {} : { skippedTransitions: all.reduce((sum, s) => sum + s.skipped, 0) }),
    maxDepth: Math.max(...all.map((s) => s.deepest)),
    elapsedMs,
    statesPerSec: rate(table.size, elapsedMs),
    reached,
    unreached,
    tableBytes: table.bytes,
    ...(livenessCutShort === undefined ? {} : { livenessUnchecked: livenessCutShort })
  }
}

/** Shorter first, then in the order a one-thread BFS would meet them (initial state, then action indices). */
const byPath = (a: Violation, b: Violation): number => {
  const [p, q] = [a.path, b.path]
  if (p.actionIndices.length !== q.actionIndices.length) return p.actionIndices.length - q.actionIndices.length
  if (p.initIndex !== q.initIndex) return p.initIndex - q.initIndex
  for (let i = 0; i < p.actionIndices.length; i++) {
    if (p.actionIndices[i] !== q.actionIndices[i]) return p.actionIndices[i]! - q.actionIndices[i]!
  }
  return 0
}

export const total = (summaries: ReadonlyArray<SearchSummary>): number => summaries.reduce((sum, s) => sum + s.generated, 0)

/** Per `sometimes` property, the least id any thread found a witness at (the one a BFS meets first), or -1. */
export const firstWitnesses = (summaries: ReadonlyArray<SearchSummary>): Array<number> =>
  summaries[0]!.witnesses.map((_, i) => {
    const ids = summaries.map((s) => s.witnesses[i]!).filter((id) => id >= 0)
    return ids.length === 0 ? -1 : Math.min(...ids)
  })

export const emptySummary = (witnesses: number): SearchSummary => ({ generated: 0, skipped: 0, deepest: 0, bounded: false, interrupted: false, witnesses: Array(witnesses).fill(-1) })
