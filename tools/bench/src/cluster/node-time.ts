/**
 * Where a parley node's time goes under a load phase, from its own
 * `/metrics` (metrics.ts): batches of the node loop, the time the reducer
 * and the event log took over them, and the time the durable save took
 * (fsync included), each as the difference between two scrapes.
 */
import { memberFetch } from "./target.ts"
import type { Member } from "./target.ts"

export interface LoopTotals {
  readonly batches: number
  readonly applySeconds: number
  readonly saveSeconds: number
}

const sample = (text: string, name: string): number => {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1))
}

/** One node's running totals now. */
export const loopTotals = async (member: Member): Promise<LoopTotals> => {
  const text = await (await memberFetch(member, "/metrics", { signal: AbortSignal.timeout(5000) })).text()
  return {
    batches: sample(text, "parley_fsync_duration_seconds_count"),
    applySeconds: sample(text, "parley_apply_duration_seconds_sum"),
    saveSeconds: sample(text, "parley_fsync_duration_seconds_sum")
  }
}

/** A node's loop per acknowledged write over a phase: batches, and milliseconds of reducer and log, and of save. */
export interface LoopPerWrite {
  readonly node: string
  readonly batchesPerWrite: number
  readonly applyMsPerWrite: number
  readonly saveMsPerWrite: number
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits

export const perWrite = (node: string, before: LoopTotals, after: LoopTotals, writes: number): LoopPerWrite => ({
  node,
  batchesPerWrite: round((after.batches - before.batches) / writes, 2),
  applyMsPerWrite: round((after.applySeconds - before.applySeconds) * 1000 / writes, 3),
  saveMsPerWrite: round((after.saveSeconds - before.saveSeconds) * 1000 / writes, 3)
})
