/**
 * `npm run bench:soak -- WRITES [CONCURRENCY]`: a 3-node parley raft
 * cluster (its defaults: a snapshot every 1024 entries) and, when `etcd` is
 * on the PATH, a 3-member etcd cluster, one after the other in the same
 * run, each written WRITES acknowledged 100-byte values (default 1,000,000)
 * at full speed by CONCURRENCY closed-loop writers (default 64) through the
 * leader, over a fixed key space of 1000 keys. Printed as JSON lines: every
 * member's RSS and bytes on disk at each tenth of the writes, then the time
 * a follower killed with -9 and restarted takes to serve a linearizable
 * read again (three trials; parley's nodes run from the CLI's bundle, or
 * under tsx with PARLEY_BUNDLE=off), and for parley the time to read a member's
 * sqlite file whole, as a restart does; then a side-by-side table.
 */
import { etcdOnPath, startEtcd } from "./cluster/etcd-target.ts"
import { startParley } from "./cluster/parley-target.ts"
import type { ClusterTarget, Member } from "./cluster/target.ts"
import { keySpace, loadWriteTimeoutMs, value100 } from "./cluster/workload.ts"

const writes = Number(process.argv[2] ?? 1_000_000)
const concurrency = Number(process.argv[3] ?? 64)
if (!Number.isInteger(writes) || writes < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("usage: npm run bench:soak -- WRITES [CONCURRENCY]  (whole numbers, at least 1)")
  process.exit(2)
}

interface Sample {
  readonly writes: number
  readonly rssMiB: ReadonlyArray<number>
  readonly diskMiB: ReadonlyArray<number>
}

interface SoakFigures {
  readonly system: string
  readonly seconds: number
  readonly opsPerSecond: number
  readonly failed: number
  readonly samples: ReadonlyArray<Sample>
  readonly restartMs: ReadonlyArray<number>
  /** Reading the durable state whole, as a restart does: the part of a restart the snapshot bounds. */
  readonly durableReadMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10

const sampleOf = async (target: ClusterTarget, at: number): Promise<Sample> => {
  const sample = {
    writes: at,
    rssMiB: (await target.rssMiB?.()) ?? [],
    diskMiB: ((await target.diskBytes?.()) ?? []).map(mib)
  }
  console.log(JSON.stringify({ bench: "soak-sample", system: target.system, ...sample }))
  return sample
}

/** Closed-loop writers until `writes` are acknowledged; a failed write is sent again. A sample at every tenth. */
const writeAll = async (target: ClusterTarget, leader: Member) => {
  const samples: Array<Sample> = [await sampleOf(target, 0)]
  let issued = 0
  let acknowledged = 0
  let failed = 0
  const writer = async (w: number) => {
    for (let i = 0; issued < writes; i++) {
      issued++
      const ok = await target.put(leader, `key-${(w * 7919 + i) % keySpace}`, value100, loadWriteTimeoutMs).catch(() => false)
      if (ok) acknowledged++
      else {
        failed++
        issued--
        await sleep(10)
      }
    }
  }
  const start = performance.now()
  const done = Promise.all(Array.from({ length: concurrency }, (_, w) => writer(w)))
  let finished = false
  void done.then(() => (finished = true))
  for (let tenth = 1; tenth <= 9; tenth++) {
    while (!finished && acknowledged < (writes * tenth) / 10) await sleep(200)
    if (!finished) samples.push(await sampleOf(target, acknowledged))
  }
  await done
  const seconds = (performance.now() - start) / 1000
  samples.push(await sampleOf(target, acknowledged))
  return { seconds: Math.round(seconds * 10) / 10, opsPerSecond: Math.round(acknowledged / seconds), failed, samples }
}

/** How parley's nodes ran (bin/parley.mjs): from the bundle, or from source under tsx with PARLEY_BUNDLE=off. */
const parleyCli = (target: ClusterTarget) =>
  target.system.startsWith("parley") ? { cli: process.env["PARLEY_BUNDLE"] === "off" ? "tsx" : "bundle" } : {}

/** Kill -9 of a follower, restart, and the time from the restart to its first answered read. */
const restartToServeMs = async (target: ClusterTarget): Promise<number> => {
  const leader = await target.leader()
  const follower = target.members.find((member) => member.id !== leader.id)!
  await target.kill(follower)
  await sleep(500)
  const start = performance.now()
  await target.restart(follower)
  const deadline = start + 60_000
  while (performance.now() < deadline) {
    if (await target.read!(follower, "key-1").catch(() => false)) return Math.round(performance.now() - start)
    await sleep(10)
  }
  throw new Error(`${target.system}: ${follower.id} did not serve a read within 60 s of its restart`)
}

const soak = async (target: ClusterTarget): Promise<SoakFigures> => {
  try {
    const figures = await writeAll(target, await target.leader())
    console.log(JSON.stringify({ bench: "soak-writes", system: target.system, writes, concurrency, ...figures, samples: undefined }))
    await sleep(2000)
    const settled = await sampleOf(target, writes)
    const restartMs: Array<number> = []
    for (let trial = 0; trial < 3; trial++) {
      const ms = await restartToServeMs(target)
      console.log(JSON.stringify({ bench: "soak-restart", system: target.system, trial: trial + 1, serveAgainMs: ms, ...parleyCli(target) }))
      restartMs.push(ms)
    }
    const durableReadMs = await target.durableReadMs?.(target.members[0]!)
    if (durableReadMs !== undefined) console.log(JSON.stringify({ bench: "soak-durable-read", system: target.system, member: target.members[0]!.id, ms: durableReadMs }))
    return { system: target.system, ...figures, samples: [...figures.samples, settled], restartMs, ...(durableReadMs === undefined ? {} : { durableReadMs }) }
  } finally {
    await target.stop()
  }
}

const results: Array<SoakFigures> = [await soak(await startParley(27_000))]
if (etcdOnPath()) results.push(await soak(await startEtcd(27_400)))
else console.log(JSON.stringify({ bench: "soak-writes", system: "etcd", skipped: "etcd is not on the PATH (Debian package etcd-server)" }))

const most = (xs: ReadonlyArray<number>): number => Math.max(0, ...xs)
const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const peakRss = (r: SoakFigures): number => most(r.samples.flatMap((s) => s.rssMiB))
const finalRss = (r: SoakFigures): number => most(r.samples.at(-1)!.rssMiB)
const peakDisk = (r: SoakFigures): number => most(r.samples.flatMap((s) => s.diskMiB))
const finalDisk = (r: SoakFigures): number => most(r.samples.at(-1)!.diskMiB)
const etcd = results.find((r) => r.system === "etcd")
const rows: ReadonlyArray<ReadonlyArray<string>> = [
  ["", ...results.map((r) => r.system), ...(etcd === undefined ? [] : ["parley/etcd"])],
  ...([
    ["writes/s", (r) => r.opsPerSecond],
    ["failed writes (retried)", (r) => r.failed],
    ["largest member RSS MiB, at any sample", peakRss],
    ["largest member RSS MiB, at the end", finalRss],
    ["largest member on disk MiB, at any sample", peakDisk],
    ["largest member on disk MiB, at the end", finalDisk],
    ["restart to serving ms, median of 3", (r) => median(r.restartMs)],
    ["restart to serving ms, worst of 3", (r) => most(r.restartMs)]
  ] as const satisfies ReadonlyArray<readonly [string, (r: SoakFigures) => number]>).map(([label, figure]) => [
    label,
    ...results.map((r) => String(figure(r))),
    ...(etcd === undefined ? [] : [String(Math.round((figure(results[0]!) / figure(etcd)) * 100) / 100)])
  ])
]
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? "").length)))
console.log(`${writes.toLocaleString("en")} writes at concurrency ${concurrency}`)
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "))
