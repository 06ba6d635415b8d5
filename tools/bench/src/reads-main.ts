/**
 * `npm run bench:reads`: linearizable read throughput of a 3-node parley
 * raft cluster (ReadIndex, its default), the same with lease reads, and a
 * 3-member etcd cluster when `etcd` is on the PATH (its `/v3/kv/range`
 * with serializable=false, etcd's ReadIndex), in the same run. Each reads
 * one 100-byte value through the leader, closed-loop, at concurrency 1 and
 * 64: with wrk when it is on the PATH (the light client: the figures to
 * compare) and with Node's fetch (a client as heavy as the server, on the
 * same cores). One JSON line per figure, then a table. Argument: seconds
 * per phase (default 10).
 */
import { etcdOnPath, startEtcd } from "./cluster/etcd-target.ts"
import { startParley } from "./cluster/parley-target.ts"
import type { ClusterTarget } from "./cluster/target.ts"
import { closedLoopOf, value100 } from "./cluster/workload.ts"
import { runWrk, wrkOnPath } from "./cluster/wrk.ts"

const seconds = Number(process.argv[2] ?? 10)
const key = "bench-read"
const useWrk = wrkOnPath()

interface ReadFigures {
  readonly system: string
  readonly client: "wrk" | "node"
  readonly concurrency: number
  readonly opsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const measure = async (target: ClusterTarget): Promise<ReadonlyArray<ReadFigures>> => {
  const figures: Array<ReadFigures> = []
  try {
    const leader = await target.leader()
    if (!(await target.put(leader, key, value100, 10_000))) throw new Error(`${target.system} did not take the value to read`)
    for (const concurrency of [1, 64]) {
      if (useWrk) {
        const wrk = await runWrk(leader.url, target.readRequest!(key), concurrency, seconds)
        console.log(JSON.stringify({ bench: "cluster-reads", system: target.system, client: "wrk", target: "leader", ...wrk }))
        if (wrk.errors > 0) console.log(JSON.stringify({ bench: "cluster-reads", system: target.system, warning: `${wrk.errors} reads failed under wrk` }))
        figures.push({ system: target.system, client: "wrk", concurrency, opsPerSecond: wrk.requestsPerSecond, p50Ms: wrk.p50Ms, p99Ms: wrk.p99Ms })
      }
      const node = await closedLoopOf(() => target.read!(leader, key), concurrency, seconds)
      console.log(JSON.stringify({ bench: "cluster-reads", system: target.system, client: "node", target: "leader", ...node }))
      figures.push({ system: target.system, client: "node", concurrency, opsPerSecond: node.opsPerSecond, p50Ms: node.p50Ms, p99Ms: node.p99Ms })
    }
    return figures
  } finally {
    await target.stop()
  }
}

const printTable = (figures: ReadonlyArray<ReadFigures>): void => {
  const systems = [...new Set(figures.map((f) => f.system))]
  const rows: Array<ReadonlyArray<string>> = [["", ...systems]]
  for (const client of useWrk ? ["wrk", "node"] as const : ["node"] as const) {
    for (const concurrency of [1, 64]) {
      const cell = (system: string, pick: (f: ReadFigures) => number) =>
        String(pick(figures.find((f) => f.system === system && f.client === client && f.concurrency === concurrency)!))
      rows.push([`${client} c=${concurrency} reads/s`, ...systems.map((s) => cell(s, (f) => f.opsPerSecond))])
      rows.push([`${client} c=${concurrency} p50 ms`, ...systems.map((s) => cell(s, (f) => f.p50Ms))])
      rows.push([`${client} c=${concurrency} p99 ms`, ...systems.map((s) => cell(s, (f) => f.p99Ms))])
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)))
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "))
}

if (!useWrk) console.log(JSON.stringify({ bench: "cluster-reads", client: "wrk", skipped: "wrk is not on the PATH (Debian package wrk); Node's fetch only" }))
const figures = [
  ...await measure(await startParley(27_000)),
  ...await measure(await startParley(27_200, "raft", true, { label: "lease reads", values: { leaseReads: true } }))
]
if (etcdOnPath()) figures.push(...await measure(await startEtcd(27_400)))
else console.log(JSON.stringify({ bench: "cluster-reads", system: "etcd", skipped: "etcd is not on the PATH (Debian package etcd-server)" }))
printTable(figures)
