/**
 * Closed-loop writers: each sends a write, waits for its answer, sends the
 * next. Figures are acknowledged writes per second and the latency of each,
 * measured by the client, as etcd's own `benchmark put` measures them.
 */
import type { ClusterTarget, Member } from "./target.ts"

export interface LoadFigures {
  readonly concurrency: number
  readonly seconds: number
  readonly acknowledged: number
  readonly failed: number
  readonly opsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Writes go to a fixed key space, as `etcd benchmark put --key-space-size` does, so the store stays small. */
export const keySpace = 1000
/** A load write's deadline: long enough that a healthy cluster never misses it, so throughput counts every write. */
export const loadWriteTimeoutMs = 10_000
/**
 * A failover write's deadline, the same for every system: a client with a
 * bounded per-request timeout that retries at once, as etcd's clientv3 and
 * ours do. Without one, a write sent through a follower just before the kill
 * waits out that system's own internal timeout (etcd's is about 7 s), and the
 * window measures the client, not the failover.
 */
export const failoverWriteTimeoutMs = 300
export const value100 = "v".repeat(100)

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

export const closedLoop = (target: ClusterTarget, members: ReadonlyArray<Member>, concurrency: number, seconds: number): Promise<LoadFigures> =>
  closedLoopOf(
    (w, i) => target.put(members[(w + i) % members.length]!, `key-${(w * 7919 + i) % keySpace}`, value100, loadWriteTimeoutMs),
    concurrency,
    seconds
  )

/** `concurrency` clients, each running `operation` (its number, its i-th call) one after another for `seconds`; true is a success. */
export const closedLoopOf = async (
  operation: (worker: number, i: number) => Promise<boolean>,
  concurrency: number,
  seconds: number
): Promise<LoadFigures> => {
  const latencies: Array<number> = []
  let failed = 0
  const start = performance.now()
  const end = start + seconds * 1000
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const sent = performance.now()
      const ok = await operation(w, i).catch(() => false)
      if (ok) latencies.push(performance.now() - sent)
      else failed++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return {
    concurrency,
    seconds: round(elapsed),
    acknowledged: latencies.length,
    failed,
    opsPerSecond: round(latencies.length / elapsed, 0),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99))
  }
}

/**
 * The write-unavailability window after kill -9 of the leader: from the
 * kill to the first acknowledgement of a write sent after it. Eight writers
 * keep writing through the surviving members meanwhile, each write bounded
 * by `failoverWriteTimeoutMs` and retried at once (after 5 ms) on an error
 * or a missed deadline.
 */
export const failoverWindowMs = async (target: ClusterTarget): Promise<number> => {
  const leader = await target.leader()
  const survivors = target.members.filter((member) => member.id !== leader.id)
  let killedAt = Infinity
  let firstAckAfterKill = Infinity
  let running = true
  const writer = async (w: number) => {
    for (let i = 0; running; i++) {
      const sent = performance.now()
      const ok = await target.put(survivors[(w + i) % survivors.length]!, `failover-${w}`, value100, failoverWriteTimeoutMs).catch(() => false)
      if (ok && sent >= killedAt) firstAckAfterKill = Math.min(firstAckAfterKill, performance.now())
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
  const writers = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)))
  await new Promise((resolve) => setTimeout(resolve, 1000))
  killedAt = performance.now()
  await target.kill(leader)
  const deadline = killedAt + 30_000
  while (firstAckAfterKill === Infinity && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  running = false
  await writers
  await target.restart(leader)
  return round(firstAckAfterKill - killedAt, 0)
}
