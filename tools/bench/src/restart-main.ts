/**
 * `npm run bench:restart -- [TRIALS] [WRITES]`: how soon a restarted raft
 * node serves, with the CLI run from its bundle and from source under tsx
 * (PARLEY_BUNDLE=off), trial by trial in turn on the same cluster, so both
 * see the same machine. A 3-node cluster takes WRITES 100-byte values
 * (default 5000: the log is snapshotted every 1024); then each trial kills
 * a follower with -9, waits half a second, spawns it as `parley cluster
 * restart` does, and times from the spawn to the node's first answer to
 * GET /v1/status (code loaded, sqlite read, sockets bound), to its first
 * status naming a leader, and to its first answered linearizable read,
 * and the CPU the node had used when it first answered (less sensitive
 * than the wall-clock times to other load on the machine).
 * Also `parley --version` (start and exit) and the first `cluster up`
 * (spawn to a majority-agreed leader), each way. JSON lines, then a table.
 */
import { awaitLeader, clusterDown, clusterKill, clusterUp, readCluster, startNode } from "@parley/runtime"
import type { Launcher, NodeEntry } from "@parley/runtime"
import { execFileSync } from "node:child_process"
import { Effect, Result } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cpuMs } from "./cluster/proc.ts"
import { keySpace, value100 } from "./cluster/workload.ts"

const trials = Number(process.argv[2] ?? 5)
const writes = Number(process.argv[3] ?? 5000)
if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(writes) || writes < 0) {
  console.error("usage: npm run bench:restart -- [TRIALS] [WRITES]  (whole numbers; TRIALS at least 1)")
  process.exit(2)
}

const parley = fileURLToPath(new URL("../../../packages/cli/bin/parley.mjs", import.meta.url))
const launcher: Launcher = { executable: process.execPath, args: [parley] }
const modes = ["bundle", "tsx"] as const
type Mode = (typeof modes)[number]

/** The nodes `launcher` spawns inherit the environment: this picks how they run. */
const use = (mode: Mode) => {
  if (mode === "tsx") process.env["PARLEY_BUNDLE"] = "off"
  else delete process.env["PARLEY_BUNDLE"]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const since = (start: number) => Math.round(performance.now() - start)

/** Polls `ready` every 10 ms for up to 60 s; the milliseconds since `start` when it first held. */
const timeUntil = async (start: number, what: string, ready: () => Promise<boolean>): Promise<number> => {
  while (performance.now() - start < 60_000) {
    if (await ready().catch(() => false)) return since(start)
    await sleep(10)
  }
  throw new Error(`${what} did not happen within 60 s`)
}

const get = async (node: NodeEntry, path: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`http://${node.client}${path}`, { signal: AbortSignal.timeout(2000) })
  return { status: response.status, body: await response.json().catch(() => undefined) }
}

const statusLeader = (body: unknown): unknown => (typeof body === "object" && body !== null ? Reflect.get(body, "leader") : undefined)

interface Trial {
  readonly mode: Mode
  readonly statusMs: number
  /** User and system CPU of the node when its status first answered (at the kernel's 10 ms tick). */
  readonly statusCpuMs: number
  readonly leaderMs: number
  readonly readMs: number
}

const restartTrial = async (dir: string, mode: Mode): Promise<Trial> => {
  const file = Result.getOrThrow(readCluster(dir))
  const { leader } = await Effect.runPromise(awaitLeader(dir, 30_000))
  const follower = file.nodes.find((node) => node.id !== leader.id)!
  await Effect.runPromise(clusterKill(dir, follower.id))
  await sleep(500)
  use(mode)
  const start = performance.now()
  const pid = startNode(dir, file, follower.id, launcher)
  const statusMs = await timeUntil(start, "a status answer", async () => (await get(follower, "/v1/status")).status === 200)
  const statusCpuMs = cpuMs(pid) ?? Number.NaN
  const leaderMs = await timeUntil(start, "a known leader", async () => typeof statusLeader((await get(follower, "/v1/status")).body) === "string")
  const readMs = await timeUntil(start, "a read", async () => (await get(follower, "/v1/kv/key-1")).status === 200)
  return { mode, statusMs, statusCpuMs, leaderMs, readMs }
}

const writeAll = async (dir: string) => {
  const { leader } = await Effect.runPromise(awaitLeader(dir, 30_000))
  let next = 0
  const writer = async () => {
    while (next < writes) {
      const i = next++
      const response = await fetch(`http://${leader.client}/v1/kv/key-${i % keySpace}`, { method: "PUT", body: value100 })
      await response.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: 16 }, writer))
}

const versionMs = (mode: Mode): number => {
  use(mode)
  const start = performance.now()
  execFileSync(process.execPath, [parley, "--version"], { stdio: "ignore" })
  return since(start)
}

const upMs = async (mode: Mode, basePort: number): Promise<{ dir: string; ms: number }> => {
  use(mode)
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-restart-"))
  const start = performance.now()
  await Effect.runPromise(clusterUp({ spec: "raft", nodes: 3, dir, basePort, launcher, eventLog: false }))
  return { dir, ms: since(start) }
}

const results: Array<Trial> = []
const versions: Record<Mode, Array<number>> = { bundle: [], tsx: [] }
const ups: Record<Mode, number> = { bundle: 0, tsx: 0 }
for (const mode of modes) versionMs(mode) // the bundle built and both caches warm before anything is timed
for (let trial = 0; trial < trials; trial++) for (const mode of modes) versions[mode].push(versionMs(mode))
console.log(JSON.stringify({ bench: "restart-version", ...versions }))

let cluster: string | undefined
try {
  for (const mode of modes) {
    const up = await upMs(mode, mode === "bundle" ? 27_700 : 27_750)
    ups[mode] = up.ms
    console.log(JSON.stringify({ bench: "restart-cluster-up", mode, ms: up.ms }))
    if (mode === "bundle") cluster = up.dir
    else {
      await Effect.runPromise(clusterDown(up.dir))
      rmSync(up.dir, { recursive: true, force: true })
    }
  }
  await writeAll(cluster!)
  for (let trial = 0; trial < trials; trial++) {
    for (const mode of trial % 2 === 0 ? modes : [...modes].reverse()) {
      const result = await restartTrial(cluster!, mode)
      console.log(JSON.stringify({ bench: "restart", trial: trial + 1, ...result }))
      results.push(result)
    }
  }
} finally {
  if (cluster !== undefined) {
    await Effect.runPromise(clusterDown(cluster))
    rmSync(cluster, { recursive: true, force: true })
  }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const worst = (xs: ReadonlyArray<number>): number => Math.max(...xs)
const of = (mode: Mode, field: "statusMs" | "statusCpuMs" | "leaderMs" | "readMs") => results.filter((r) => r.mode === mode).map((r) => r[field])
const rows: ReadonlyArray<ReadonlyArray<string>> = [
  ["ms (median / worst)", ...modes],
  ["parley --version, start to exit", ...modes.map((m) => `${median(versions[m])} / ${worst(versions[m])}`)],
  ["first cluster up, spawn to agreed leader", ...modes.map((m) => String(ups[m]))],
  ["restart: spawn to status answered", ...modes.map((m) => `${median(of(m, "statusMs"))} / ${worst(of(m, "statusMs"))}`)],
  ["restart: node's CPU ms when status answered", ...modes.map((m) => `${median(of(m, "statusCpuMs"))} / ${worst(of(m, "statusCpuMs"))}`)],
  ["restart: spawn to leader known", ...modes.map((m) => `${median(of(m, "leaderMs"))} / ${worst(of(m, "leaderMs"))}`)],
  ["restart: spawn to read answered", ...modes.map((m) => `${median(of(m, "readMs"))} / ${worst(of(m, "readMs"))}`)]
]
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
console.log(`${trials} restarts of a follower each way, after ${writes.toLocaleString("en")} writes`)
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "))
