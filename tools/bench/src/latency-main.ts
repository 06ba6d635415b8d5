/**
 * `npm run bench:latency -- [SECONDS] [ROUNDS]`: write latency at one
 * connection, parley raft (as `cluster up` starts it: event log on) beside
 * a 3-member etcd, both up at once, measured by `wrk -c1` against each
 * leader in alternating phases (parley then etcd, etcd then parley), so a
 * shared machine's changes of pace fall on both alike. Each round gives the
 * ratio of the two rates; the median round is the figure. For parley, each
 * node's loop per write from its `/metrics`: batches, reducer and log time,
 * durable save time (fsync included), which shows where a write's time goes.
 * Defaults: 5 s phases, 6 rounds. Needs wrk (Debian `wrk`) and etcd
 * (Debian `etcd-server`) on the PATH.
 */
import { etcdOnPath, startEtcd } from "./cluster/etcd-target.ts"
import { loopTotals, perWrite } from "./cluster/node-time.ts"
import type { LoopPerWrite } from "./cluster/node-time.ts"
import { startParley } from "./cluster/parley-target.ts"
import type { ClusterTarget, HttpRequest } from "./cluster/target.ts"
import { etcdWrite, parleyWrite, runWrk, wrkOnPath } from "./cluster/wrk.ts"
import type { WrkFigures } from "./cluster/wrk.ts"

const seconds = Number(process.argv[2] ?? 5)
const rounds = Number(process.argv[3] ?? 6)

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round2 = (x: number): number => Math.round(x * 100) / 100

/** One wrk phase against the target's leader; for parley, each node's loop per write over it. */
const phase = async (target: ClusterTarget, request: HttpRequest, withLoops: boolean): Promise<{ figures: WrkFigures; loops: ReadonlyArray<LoopPerWrite> }> => {
  const leader = await target.leader()
  const before = withLoops ? await Promise.all(target.members.map(loopTotals)) : []
  const figures = await runWrk(leader.url, request, 1, seconds)
  const after = withLoops ? await Promise.all(target.members.map(loopTotals)) : []
  const writes = Math.max(1, figures.requests - figures.errors)
  const loops = target.members.flatMap((member, i) =>
    withLoops ? [perWrite(member.id === leader.id ? `${member.id} (leader)` : member.id, before[i]!, after[i]!, writes)] : []
  )
  console.log(JSON.stringify({ bench: "write-latency-c1", system: target.system, ...figures, ...(withLoops ? { loops } : {}) }))
  return { figures, loops }
}

if (!wrkOnPath() || !etcdOnPath()) {
  console.log(JSON.stringify({ bench: "write-latency-c1", skipped: "needs wrk and etcd on the PATH (Debian packages wrk, etcd-server)" }))
  process.exit(0)
}

const parley = await startParley(26_000)
const etcd = await startEtcd(26_400)
try {
  const ratios: Array<number> = []
  const parleyRates: Array<number> = []
  const etcdRates: Array<number> = []
  const parleyP50: Array<number> = []
  const etcdP50: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    const parleyFirst = r % 2 === 0
    const a = parleyFirst ? await phase(parley, parleyWrite, true) : await phase(etcd, etcdWrite, false)
    const b = parleyFirst ? await phase(etcd, etcdWrite, false) : await phase(parley, parleyWrite, true)
    const [p, e] = parleyFirst ? [a.figures, b.figures] : [b.figures, a.figures]
    parleyRates.push(p.requestsPerSecond)
    etcdRates.push(e.requestsPerSecond)
    parleyP50.push(p.p50Ms)
    etcdP50.push(e.p50Ms)
    ratios.push(p.requestsPerSecond / e.requestsPerSecond)
  }
  console.log(JSON.stringify({
    bench: "write-latency-c1-summary",
    rounds,
    phaseSeconds: seconds,
    parleyWritesPerSecond: median(parleyRates),
    etcdWritesPerSecond: median(etcdRates),
    parleyP50Ms: median(parleyP50),
    etcdP50Ms: median(etcdP50),
    ratio: round2(median(ratios)),
    roundRatios: ratios.map(round2)
  }))
} finally {
  await parley.stop()
  await etcd.stop()
}
