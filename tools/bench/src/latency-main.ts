/**
 * `npm run bench:latency -- [SECONDS] [ROUNDS]`: write latency at one
 * connection, parley raft (as `cluster up` starts it: event log on,
 * pipelined appends on) beside the same without pipelined appends and two
 * 3-member etcds, one with plain peer links (the target) and one with
 * encrypted ones (`--peer-auto-tls`, as parley's peers are TLS), all up at
 * once, measured by `wrk -c1` against each leader in phases whose order
 * turns each round, so a shared machine's changes of pace fall on all
 * alike. Each round gives the ratio of each raft's rate to each etcd's; the
 * median round is the figure. Per phase, each member's CPU per write (the
 * summary gives the median phase's, leader and followers apart, which a
 * busy machine changes less than a rate), and for raft each node's loop per
 * write from its `/metrics`:
 * batches, reducer and log time, durable save time (fsync included). Then,
 * with strace on the PATH, one more phase per system with its leader and a
 * follower traced: sync and write calls per write (strace slows the
 * phase; the counts are the figure). Before the rounds, one unmeasured
 * phase for each system (warm-up). Defaults: 5 s phases, 6 rounds.
 * With `tls` after them, clients speak HTTPS too: parley raft with
 * `--client-tls` beside etcd with `--auto-tls` and `--peer-auto-tls`
 * (encrypted everywhere, as a production cluster runs), and the same two
 * with plain clients.
 * Needs wrk (Debian `wrk`) and etcd (Debian `etcd-server`) on the PATH.
 */
import { etcdOnPath, startEtcd } from "./cluster/etcd-target.ts"
import { countSyscalls, straceOnPath } from "./cluster/latency-syscalls.ts"
import { loopTotals, perWrite } from "./cluster/node-time.ts"
import { startParley } from "./cluster/parley-target.ts"
import type { ClusterTarget, HttpRequest } from "./cluster/target.ts"
import { etcdWrite, parleyWrite, runWrk, wrkOnPath } from "./cluster/wrk.ts"
import type { WrkFigures } from "./cluster/wrk.ts"

const seconds = Number(process.argv[2] ?? 5)
const rounds = Number(process.argv[3] ?? 6)
const clientTls = process.argv[4] === "tls"

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round2 = (x: number): number => Math.round(x * 100) / 100

interface System {
  readonly target: ClusterTarget
  readonly request: HttpRequest
  /** Whether its members serve parley's `/metrics`. */
  readonly parley: boolean
}

/** Each member's name, the leader's marked. */
const memberNames = async (target: ClusterTarget): Promise<ReadonlyArray<string>> => {
  const leader = await target.leader()
  return target.members.map((member) => member.id === leader.id ? `${member.id} (leader)` : member.id)
}

/** One phase's figures: wrk's, and the CPU per write of the leader and of the busier follower. */
interface PhaseFigures {
  readonly wrk: WrkFigures
  readonly leaderCpuMs: number
  readonly followerCpuMs: number
}

/** One wrk phase against the system's leader, with each member's CPU per write and, for parley, its loop per write. */
const phase = async ({ target, request, parley }: System): Promise<PhaseFigures> => {
  const leader = await target.leader()
  const names = await memberNames(target)
  const loopsBefore = parley ? await Promise.all(target.members.map(loopTotals)) : []
  const cpuBefore = (await target.cpuMs?.()) ?? []
  const figures = await runWrk(leader.url, request, 1, seconds)
  const cpuAfter = (await target.cpuMs?.()) ?? []
  const loopsAfter = parley ? await Promise.all(target.members.map(loopTotals)) : []
  const writes = Math.max(1, figures.requests - figures.errors)
  const cpuMsPerWrite = cpuAfter.map((after, i) => ({ node: names[i]!, cpuMsPerWrite: round2((after - cpuBefore[i]!) / writes) }))
  const loops = parley ? target.members.map((_, i) => perWrite(names[i]!, loopsBefore[i]!, loopsAfter[i]!, writes)) : undefined
  console.log(JSON.stringify({ bench: "write-latency-c1", system: target.system, ...figures, cpuMsPerWrite, ...(loops === undefined ? {} : { loops }) }))
  const leaderAt = target.members.findIndex((member) => member.id === leader.id)
  const followers = cpuMsPerWrite.filter((_, i) => i !== leaderAt).map((member) => member.cpuMsPerWrite)
  return { wrk: figures, leaderCpuMs: cpuMsPerWrite[leaderAt]?.cpuMsPerWrite ?? 0, followerCpuMs: Math.max(0, ...followers) }
}

/** One traced phase: the leader's and a follower's sync and write calls per write. */
const syscallPhase = async ({ target, request }: System): Promise<void> => {
  const leader = await target.leader()
  const follower = target.members.find((member) => member.id !== leader.id)!
  const pids = (await target.pids?.()) ?? []
  const traced = [leader, follower].map((member) => pids[target.members.indexOf(member)])
  const { result, counts } = await countSyscalls(traced, () => runWrk(leader.url, request, 1, seconds))
  const writes = Math.max(1, result.requests - result.errors)
  const perWriteOf = (i: number) =>
    counts[i] === undefined ? null : Object.fromEntries(Object.entries(counts[i]!).map(([name, calls]) => [name, round2(calls / writes)]))
  console.log(JSON.stringify({ bench: "write-latency-c1-syscalls", system: target.system, writes, leader: perWriteOf(0), follower: perWriteOf(1) }))
}

if (!wrkOnPath() || !etcdOnPath()) {
  console.log(JSON.stringify({ bench: "write-latency-c1", skipped: "needs wrk and etcd on the PATH (Debian packages wrk, etcd-server)" }))
  process.exit(0)
}

/** Each system as it starts; every one started is stopped at the end, however the bench ends. The last two are the etcds each raft is compared with. */
const starts: ReadonlyArray<() => Promise<System>> = clientTls
  ? [
    async () => ({ target: await startParley(26_000, "raft", true, undefined, true), request: parleyWrite, parley: true }),
    async () => ({ target: await startParley(26_200), request: parleyWrite, parley: true }),
    async () => ({ target: await startEtcd(26_400, { peerTls: true, clientTls: true }), request: etcdWrite, parley: false }),
    async () => ({ target: await startEtcd(26_600, { peerTls: true }), request: etcdWrite, parley: false })
  ]
  : [
    async () => ({ target: await startParley(26_000), request: parleyWrite, parley: true }),
    async () => ({ target: await startParley(26_200, "raft", true, { label: "no pipelined appends", values: { pipelinedAppends: false } }), request: parleyWrite, parley: true }),
    async () => ({ target: await startEtcd(26_400), request: etcdWrite, parley: false }),
    async () => ({ target: await startEtcd(26_600, { peerTls: true }), request: etcdWrite, parley: false })
  ]
const systems: Array<System> = []
/** The etcds each raft is compared with: plain peers (the target), and peers over TLS; with `tls`, clients and peers over TLS, and peers over TLS. */
const etcd = starts.length - 2
const etcdPeerTls = starts.length - 1
try {
  for (const start of starts) systems.push(await start())
  // One unmeasured phase each first: a node's code is still being compiled and its WAL still growing to its checkpoint size in its first thousands of writes, which is start-up, not the write path.
  for (const { target, request } of systems) await runWrk((await target.leader()).url, request, 1, seconds)
  const phases: Array<Array<PhaseFigures>> = systems.map(() => [])
  for (let r = 0; r < rounds; r++) {
    // Each round starts with the next system, so none always runs first or last.
    for (let k = 0; k < systems.length; k++) {
      const i = (r + k) % systems.length
      phases[i]!.push(await phase(systems[i]!))
    }
  }
  const rates = (i: number): ReadonlyArray<number> => phases[i]!.map((figures) => figures.wrk.requestsPerSecond)
  const ratios = (i: number, to: number): ReadonlyArray<number> => rates(i).map((rate, r) => round2(rate / rates(to)[r]!))
  console.log(JSON.stringify({
    bench: "write-latency-c1-summary",
    rounds,
    phaseSeconds: seconds,
    ratioTo: systems[etcd]!.target.system,
    ratioToPeerTlsEtcdIs: systems[etcdPeerTls]!.target.system,
    systems: systems.map(({ target, parley }, i) => ({
      system: target.system,
      writesPerSecond: median(rates(i)),
      p50Ms: median(phases[i]!.map((figures) => figures.wrk.p50Ms)),
      cpuMsPerWrite: {
        leader: median(phases[i]!.map((figures) => figures.leaderCpuMs)),
        follower: median(phases[i]!.map((figures) => figures.followerCpuMs))
      },
      ...(parley
        ? {
          ratio: median(ratios(i, etcd)),
          roundRatios: ratios(i, etcd),
          ratioToPeerTlsEtcd: median(ratios(i, etcdPeerTls)),
          roundRatiosToPeerTlsEtcd: ratios(i, etcdPeerTls)
        }
        : {})
    }))
  }))
  if (straceOnPath()) {
    for (const system of systems) await syscallPhase(system)
  } else {
    console.log(JSON.stringify({ bench: "write-latency-c1-syscalls", skipped: "needs strace on the PATH" }))
  }
} finally {
  for (const { target } of systems) await target.stop()
}
