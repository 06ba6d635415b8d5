/**
 * `npm run bench:membership -- [TRIALS] [WRITES]`: how long `parley cluster
 * transfer`, `add` and `remove` take on a raft cluster of 3 that holds
 * WRITES keys of 100 bytes (default 5000, so a new node starts from a
 * snapshot: one every 1024 entries). TRIALS transfers, each to the next
 * follower, timed from the request to the target's status naming itself
 * leader; TRIALS adds of a fresh node (spawn, the leader's change, the
 * configuration committed and the new node holding it) each followed by
 * its removal (committed, the process stopped). The commands poll statuses
 * every 100 ms, so each figure is that coarse. JSON lines, then a table.
 */
import { awaitLeader, clusterAdd, clusterDown, clusterRemove, clusterTransfer, clusterUp, freeBasePort, readCluster } from "@parley/runtime"
import type { AnyHostedSpec } from "@parley/core"
import type { Launcher } from "@parley/runtime"
import { Effect, Result } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { value100 } from "./cluster/workload.ts"

const trials = Number(process.argv[2] ?? 5)
const writes = Number(process.argv[3] ?? 5000)
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(writes) || writes < 0) {
  console.error("usage: npm run bench:membership -- [TRIALS] [WRITES]  (whole numbers; TRIALS at least 1)")
  process.exit(2)
}

const parley = fileURLToPath(new URL("../../../packages/cli/bin/parley.mjs", import.meta.url))
const launcher: Launcher = { executable: process.execPath, args: [parley] }
// The runtime decodes statuses with the hosted spec's Schema when given one; the commands read only its generic fields.
const hosts: ReadonlyArray<AnyHostedSpec> = []
const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)
const timed = async <A>(work: () => Promise<A>): Promise<{ readonly ms: number; readonly result: A }> => {
  const start = performance.now()
  const result = await work()
  return { ms: Math.round(performance.now() - start), result }
}

const dir = mkdtempSync(join(tmpdir(), "parley-bench-membership-"))
try {
  await run(clusterUp({ spec: "raft", nodes: 3, dir, basePort: await run(freeBasePort(3 + trials)), launcher, eventLog: false }))
  const { leader } = await run(awaitLeader(dir, 30_000))
  for (let i = 0; i < writes; i += 16) {
    await Promise.all(Array.from({ length: Math.min(16, writes - i) }, (_, k) =>
      fetch(`http://${leader.client}/v1/kv/key-${i + k}`, { method: "PUT", body: value100 }).then((response) => response.text())))
  }
  const transfers: Array<number> = []
  for (let trial = 0; trial < trials; trial++) {
    const current = (await run(awaitLeader(dir, 30_000))).leader.id
    const members = Result.getOrThrow(readCluster(dir)).nodes.filter((node) => node.removed !== true).map((node) => node.id)
    const target = members[(members.indexOf(current) + 1) % members.length]!
    const moved = await run(clusterTransfer(dir, target, hosts))
    transfers.push(moved.tookMs)
    console.log(JSON.stringify({ bench: "membership-transfer", trial: trial + 1, from: moved.from, to: moved.to, ms: moved.tookMs }))
  }
  const adds: Array<number> = []
  const removes: Array<number> = []
  for (let trial = 0; trial < trials; trial++) {
    const id = `x${trial + 1}`
    const added = await timed(() => run(clusterAdd(dir, id, launcher, hosts)))
    const removed = await timed(() => run(clusterRemove(dir, id, hosts)))
    adds.push(added.ms)
    removes.push(removed.ms)
    console.log(JSON.stringify({ bench: "membership-add-remove", trial: trial + 1, node: id, addMs: added.ms, removeMs: removed.ms, appliedOnJoin: added.result.applied }))
  }
  const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const worst = (xs: ReadonlyArray<number>): number => Math.max(...xs)
  console.log(`\nraft, 3 nodes holding ${writes} keys; ${trials} trials; ms, median / worst`)
  console.log(`transfer: request to the target leading          ${median(transfers)} / ${worst(transfers)}`)
  console.log(`add: spawn to configuration committed and held   ${median(adds)} / ${worst(adds)}`)
  console.log(`remove: request to committed and process stopped ${median(removes)} / ${worst(removes)}`)
} finally {
  await run(clusterDown(dir)).catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
}
