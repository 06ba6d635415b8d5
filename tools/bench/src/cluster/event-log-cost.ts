/**
 * What the event log costs a raft cluster in writes a second: two clusters
 * up at once, one logging and one not, loaded in turn (on then off, off then
 * on, alternating) in short phases, so a busy machine's changes of pace fall
 * on both alike. Each round gives the ratio of the two rates; the median
 * round is the figure. Beside it, the CPU time the three nodes used per
 * acknowledged write, with the log and without, together and by node (the
 * leader, a follower): on a machine shared with
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
  /** The same by node: the leader's milliseconds of CPU per write, and a follower's (the mean of the two), with the log and without. */
  readonly leaderCpuMsPerWriteOn: number
  readonly leaderCpuMsPerWriteOff: number
  readonly followerCpuMsPerWriteOn: number
  readonly followerCpuMsPerWriteOff: number
}

const percent = (ratio: number): number => Math.round((1 - ratio) * 1000) / 10
const round2 = (x: number): number => Math.round(x * 100) / 100

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Phase {
  readonly rate: number
  /** CPU milliseconds per acknowledged write: the three nodes together, the leader, a follower (their mean). */
  readonly cpuMs: number
  readonly leaderCpuMs: number
  readonly followerCpuMs: number
}

/** Writes a second and CPU milliseconds per write of one phase against the target's leader. */
const phase = async (target: ClusterTarget, concurrency: number, seconds: number): Promise<Phase> => {
  const cpu = async () => await target.cpuMs?.() ?? []
  const leader = await target.leader()
  const before = await cpu()
  const figures = await closedLoop(target, [leader], concurrency, seconds)
  const writes = Math.max(1, figures.acknowledged)
  const used = (await cpu()).map((after, node) => (after - (before[node] ?? 0)) / writes)
  const leading = target.members.indexOf(leader)
  const followers = used.filter((_, node) => node !== leading)
  return {
    rate: figures.opsPerSecond,
    cpuMs: used.reduce((a, b) => a + b, 0),
    leaderCpuMs: used[leading] ?? 0,
    followerCpuMs: followers.reduce((a, b) => a + b, 0) / Math.max(1, followers.length)
  }
}

export const eventLogCost = async (logged: ClusterTarget, unlogged: ClusterTarget, concurrency: number, rounds: number, phaseSeconds: number): Promise<EventLogCost> => {
  const on: Array<Phase> = []
  const off: Array<Phase> = []
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? logged : unlogged
    const a = await phase(first, concurrency, phaseSeconds)
    const b = await phase(first === logged ? unlogged : logged, concurrency, phaseSeconds)
    on.push(first === logged ? a : b)
    off.push(first === logged ? b : a)
  }
  const ratios = on.map((withLog, round) => withLog.rate / off[round]!.rate)
  const cpuRatios = on.map((withLog, round) => off[round]!.cpuMs / withLog.cpuMs)
  const medianOf = (phases: ReadonlyArray<Phase>, figure: (phase: Phase) => number): number => round2(median(phases.map(figure)))
  return {
    concurrency,
    rounds,
    phaseSeconds,
    opsPerSecondOn: median(on.map((p) => p.rate)),
    opsPerSecondOff: median(off.map((p) => p.rate)),
    dropPercent: percent(median(ratios)),
    roundDropsPercent: ratios.map(percent),
    cpuMsPerWriteOn: medianOf(on, (p) => p.cpuMs),
    cpuMsPerWriteOff: medianOf(off, (p) => p.cpuMs),
    cpuCostPercent: -percent(1 / median(cpuRatios)),
    roundCpuCostsPercent: cpuRatios.map((r) => -percent(1 / r)),
    leaderCpuMsPerWriteOn: medianOf(on, (p) => p.leaderCpuMs),
    leaderCpuMsPerWriteOff: medianOf(off, (p) => p.leaderCpuMs),
    followerCpuMsPerWriteOn: medianOf(on, (p) => p.followerCpuMs),
    followerCpuMsPerWriteOff: medianOf(off, (p) => p.followerCpuMs)
  }
}
