/**
 * `npm run bench:cluster`: 3-node parley clusters of raft and multi-paxos,
 * and a 3-member etcd cluster when `etcd` is on the PATH, under the same closed-loop load
 * of 100-byte writes at concurrency 1 and 64, then kill -9s of the
 * leader each (writes bounded by the same 300 ms deadline on every system and
 * retried at once). One JSON line per figure, then a side-by-side table. Then
 * the event log's cost: raft with its log (the default) and without, both
 * up at once, loaded in alternating phases (cluster/event-log-cost.ts).
 * Arguments: seconds per load phase (default 10), then failover trials
 * (default 5), or `event-log` to measure the event log's cost alone.
 */
import { etcdOnPath, startEtcd } from "./cluster/etcd-target.ts"
import { eventLogCost } from "./cluster/event-log-cost.ts"
import { startParley } from "./cluster/parley-target.ts"
import type { ClusterTarget } from "./cluster/target.ts"
import { closedLoop, failoverWindowMs } from "./cluster/workload.ts"
import type { LoadFigures } from "./cluster/workload.ts"

const seconds = Number(process.argv[2] ?? 10)
const onlyEventLog = process.argv[3] === "event-log"
const failoverTrials = onlyEventLog ? 0 : Number(process.argv[3] ?? 5)

interface SystemFigures {
  readonly system: string
  readonly load: ReadonlyArray<LoadFigures>
  readonly failoverMs: ReadonlyArray<number>
}

const measure = async (target: ClusterTarget): Promise<SystemFigures> => {
  try {
    const leader = await target.leader()
    const load: Array<LoadFigures> = []
    for (const concurrency of [1, 64]) {
      const figures = await closedLoop(target, [leader], concurrency, seconds)
      console.log(JSON.stringify({ bench: "cluster-writes", system: target.system, target: "leader", ...figures }))
      load.push(figures)
    }
    const spread = await closedLoop(target, target.members, 64, seconds)
    console.log(JSON.stringify({ bench: "cluster-writes", system: target.system, target: "every member", ...spread }))
    if (target.rssMiB !== undefined) console.log(JSON.stringify({ bench: "cluster-rss", system: target.system, after: "the load phases", rssMiB: await target.rssMiB() }))
    const failoverMs: Array<number> = []
    for (let round = 0; round < failoverTrials; round++) {
      const windowMs = await failoverWindowMs(target)
      console.log(JSON.stringify({ bench: "failover", system: target.system, round: round + 1, windowMs }))
      failoverMs.push(windowMs)
    }
    return { system: target.system, load: [...load, spread], failoverMs }
  } finally {
    await target.stop()
  }
}

/** Raft and Multi-Paxos, and etcd when it is on the PATH. */
const compareSystems = async (): Promise<Array<SystemFigures>> => {
  const results = [await measure(await startParley(26_000)), await measure(await startParley(26_200, "multi-paxos"))]
  if (etcdOnPath()) results.push(await measure(await startEtcd(26_400)))
  else console.log(JSON.stringify({ bench: "cluster-writes", system: "etcd", skipped: "etcd is not on the PATH (Debian package etcd-server)" }))
  return results
}

/** Raft with its event log and without, in alternating phases, at one writer and 64. */
const measureEventLogCost = async (): Promise<void> => {
  const logged = await startParley(26_600)
  const unlogged = await startParley(26_800, "raft", false)
  try {
    for (const concurrency of [1, 64]) {
      const cost = await eventLogCost(logged, unlogged, concurrency, 8, Math.max(2, seconds / 2))
      console.log(JSON.stringify({ bench: "event-log-cost", system: "parley raft", target: "leader", ...cost }))
    }
  } finally {
    await logged.stop()
    await unlogged.stop()
  }
}

const printTable = (results: ReadonlyArray<SystemFigures>): void => {
  const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const etcd = results.find((r) => r.system === "etcd")
  const parleys = results.filter((r) => r !== etcd)
  /** Each parley system's figure over etcd's, when etcd ran: the columns `raft/etcd`, `multi-paxos/etcd`. */
  const ratios = (figure: (r: SystemFigures) => number): ReadonlyArray<string> =>
    etcd === undefined ? [] : parleys.map((r) => String(Math.round(figure(r) / figure(etcd) * 100) / 100))
  const row = (label: string, figure: (r: SystemFigures) => number): ReadonlyArray<string> =>
    [label, ...results.map((r) => String(figure(r))), ...ratios(figure)]
  const rows = [
    ["", ...results.map((r) => r.system), ...(etcd === undefined ? [] : parleys.map((r) => `${r.system.replace("parley ", "")}/etcd`))],
    ...["c=1 to leader", "c=64 to leader", "c=64 to every member"].flatMap((label, i) => [
      row(`${label} ops/s`, (r) => r.load[i]!.opsPerSecond),
      row(`${label} p50 ms`, (r) => r.load[i]!.p50Ms),
      row(`${label} p99 ms`, (r) => r.load[i]!.p99Ms)
    ]),
    row(`failover window ms (median of ${failoverTrials})`, (r) => median(r.failoverMs)),
    row(`failover window ms (worst of ${failoverTrials})`, (r) => Math.max(...r.failoverMs))
  ]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)))
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "))
}

const results = onlyEventLog ? [] : await compareSystems()
await measureEventLogCost()
if (!onlyEventLog) printTable(results)
