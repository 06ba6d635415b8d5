/**
 * What the event log costs a raft cluster in writes a second: two clusters
 * up at once, one logging and one not, loaded in turn (on then off, off then
 * on, alternating) in short phases, so a busy machine's changes of pace fall
 * on both alike. Each round gives the ratio of the two rates; the median
 * round is the figure. Beside it, the CPU time the three nodes used per
 * acknowledged write, with the log and without: on a machine shared with
 * other work the rates move with the neighbours, the CPU a write costs
 * much less, and where the cluster is CPU-bound (64 writers) the rate
 * follows it.
 */
import type { ClusterTarget } from "./target.ts"
import { closedLoop } from "./workload.ts"

export interface EventLogCost {
  readonly concurrency: number
  readonly rounds: number
  readonly phaseSeconds: number
  /** Median writes a second of the phases, with the log and without. */
  readonly opsPerSecondOn: number
  readonly opsPerSecondOff: number
  /** The median round's drop: 1 - on/off, in percent. */
  readonly dropPercent: number
  /** Every round's drop, in percent, in order: how much the machine's pace moved. */
  readonly roundDropsPercent: ReadonlyArray<number>
  /** Median milliseconds of CPU (user and system, the three nodes together) per acknowledged write, with the log and without. */
  readonly cpuMsPerWriteOn: number
  readonly cpuMsPerWriteOff: number
  /** The median round's extra CPU per write with the log: on/off - 1, in percent; and every round's. */
  readonly cpuCostPercent: number
  readonly roundCpuCostsPercent: ReadonlyArray<number>
}

const percent = (ratio: number): number => Math.round((1 - ratio) * 1000) / 10
const round2 = (x: number): number => Math.round(x * 100) / 100

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Writes a second and CPU milliseconds per write of one phase against the target's leader. */
const phase = async (target: ClusterTarget, concurrency: number, seconds: number): Promise<{ readonly rate: number; readonly cpuMs: number }> => {
  const cpu = async () => (await target.cpuMs?.() ?? []).reduce((a, b) => a + b, 0)
  const leader = await target.leader()
  const before = await cpu()
  const figures = await closedLoop(target, [leader], concurrency, seconds)
  const used = await cpu() - before
  return { rate: figures.opsPerSecond, cpuMs: used / Math.max(1, figures.acknowledged) }
}

export const eventLogCost = async (logged: ClusterTarget, unlogged: ClusterTarget, concurrency: number, rounds: number, phaseSeconds: number): Promise<EventLogCost> => {
  const on: Array<number> = []
  const off: Array<number> = []
  const ratios: Array<number> = []
  const cpuOn: Array<number> = []
  const cpuOff: Array<number> = []
  const cpuRatios: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? logged : unlogged
    const a = await phase(first, concurrency, phaseSeconds)
    const b = await phase(first === logged ? unlogged : logged, concurrency, phaseSeconds)
    const [withLog, withoutLog] = first === logged ? [a, b] : [b, a]
    on.push(withLog.rate)
    off.push(withoutLog.rate)
    ratios.push(withLog.rate / withoutLog.rate)
    cpuOn.push(withLog.cpuMs)
    cpuOff.push(withoutLog.cpuMs)
    cpuRatios.push(withoutLog.cpuMs / withLog.cpuMs)
  }
  return {
    concurrency,
    rounds,
    phaseSeconds,
    opsPerSecondOn: median(on),
    opsPerSecondOff: median(off),
    dropPercent: percent(median(ratios)),
    roundDropsPercent: ratios.map(percent),
    cpuMsPerWriteOn: round2(median(cpuOn)),
    cpuMsPerWriteOff: round2(median(cpuOff)),
    cpuCostPercent: -percent(1 / median(cpuRatios)),
    roundCpuCostsPercent: cpuRatios.map((r) => -percent(1 / r))
  }
}
