/**
 * What the event log costs a raft cluster in writes a second: two clusters
 * up at once, one logging and one not, loaded in turn (on then off, off then
 * on, alternating) in short phases, so a busy machine's changes of pace fall
 * on both alike. Each round gives the ratio of the two rates; the median
 * round is the figure.
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
}

const percent = (ratio: number): number => Math.round((1 - ratio) * 1000) / 10

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export const eventLogCost = async (logged: ClusterTarget, unlogged: ClusterTarget, concurrency: number, rounds: number, phaseSeconds: number): Promise<EventLogCost> => {
  const on: Array<number> = []
  const off: Array<number> = []
  const ratios: Array<number> = []
  for (let round = 0; round < rounds; round++) {
    const phase = async (target: ClusterTarget) => (await closedLoop(target, [await target.leader()], concurrency, phaseSeconds)).opsPerSecond
    const first = round % 2 === 0 ? logged : unlogged
    const a = await phase(first)
    const b = await phase(first === logged ? unlogged : logged)
    const [withLog, withoutLog] = first === logged ? [a, b] : [b, a]
    on.push(withLog)
    off.push(withoutLog)
    ratios.push(withLog / withoutLog)
  }
  return {
    concurrency,
    rounds,
    phaseSeconds,
    opsPerSecondOn: median(on),
    opsPerSecondOff: median(off),
    dropPercent: percent(median(ratios)),
    roundDropsPercent: ratios.map(percent)
  }
}
