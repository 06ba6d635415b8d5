/**
 * `npm run bench:cluster-memory`: a 3-node parley multi-paxos cluster (or
 * the spec named) under a closed loop of 100-byte writes at concurrency 64
 * over 1,000 keys, with each node's resident memory every 25,000 writes:
 * compaction should keep it flat. Arguments: total writes (default
 * 200,000), spec (default multi-paxos).
 */
import { startParley } from "./cluster/parley-target.ts"
import { loadWriteTimeoutMs } from "./cluster/workload.ts"

const total = Number(process.argv[2] ?? 200_000)
const spec = process.argv[3] ?? "multi-paxos"
const every = 25_000
const value = "x".repeat(100)

const target = await startParley(26_600, spec)
try {
  const leader = await target.leader()
  let written = 0
  let failed = 0
  let nextReport = every
  const start = performance.now()
  const writer = async (w: number) => {
    while (written + failed < total) {
      const ok = await target.put(leader, `key-${(w * 7919 + written) % 1000}`, value, loadWriteTimeoutMs).catch(() => false)
      if (ok) written++
      else failed++
      if (written >= nextReport) {
        nextReport += every
        const seconds = Math.round((performance.now() - start) / 100) / 10
        console.log(JSON.stringify({ bench: "cluster-memory", system: target.system, written, failed, seconds, rssMiB: await target.rssMiB?.() }))
      }
    }
  }
  await Promise.all(Array.from({ length: 64 }, (_, w) => writer(w)))
} finally {
  await target.stop()
}
