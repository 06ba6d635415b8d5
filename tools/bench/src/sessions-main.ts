/**
 * `npm run bench:sessions`: a 3-node parley raft cluster under writes that
 * each name a new client session (Parley-Client, Parley-Seq 1), spread over
 * every member so followers forward, with sessions that end after 2 s idle.
 * Every 2 s it prints, per node, the sessions its state keeps, the
 * forwarded requests it holds the way back for, and its RSS: the distinct
 * clients grow with the load, the sessions and records should not.
 * Arguments: seconds of load (default 30), concurrency (default 32).
 */
import { clusterDown, clusterUp, livePid, readCluster } from "@parley/runtime"
import type { Launcher } from "@parley/runtime"
import { Effect, Result } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { value100 } from "./cluster/workload.ts"

const seconds = Number(process.argv[2] ?? 30)
const concurrency = Number(process.argv[3] ?? 32)
const sessionExpiryMs = 2000
const sampleEveryMs = 2000

const launcher: Launcher = {
  executable: process.execPath,
  args: [fileURLToPath(new URL("../../../packages/cli/bin/parley.mjs", import.meta.url))]
}

/** A process's resident set in MiB, from /proc. */
const rssMiB = (pid: number | undefined): number | null => {
  if (pid === undefined) return null
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
  return line === undefined ? null : Math.round(Number(line.split(/\s+/)[1]) / 1024)
}

const dir = mkdtempSync(join(tmpdir(), "parley-bench-sessions-"))
try {
  await Effect.runPromise(clusterUp({ spec: "raft", nodes: 3, dir, basePort: 26_800, launcher, options: { sessionExpiryMs } }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  let clients = 0
  let failed = 0
  const start = performance.now()
  const end = start + seconds * 1000
  const writer = async (w: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const node = nodes[(w + i) % nodes.length]!
      const headers = { "parley-client": `bench-${w}-${i}`, "parley-seq": "1" }
      const response = await fetch(`http://${node.client}/v1/kv/key-${i % 1000}?timeout=10000`, { method: "PUT", body: value100, headers })
        .catch(() => undefined)
      await response?.arrayBuffer()
      if (response?.status === 200) clients++
      else failed++
    }
  }
  const sample = async (elapsedS: number, phase: "load" | "after the load") => {
    const reports = await Promise.all(nodes.map(async (node) => {
      const status = await fetch(`http://${node.client}/v1/status`)
        .then((r) => r.json() as Promise<Record<string, unknown>>)
        .catch((): Record<string, unknown> => ({}))
      return { id: node.id, sessions: status["sessions"], forwarding: status["forwarding"], rssMiB: rssMiB(livePid(dir, node.id)) }
    }))
    console.log(JSON.stringify({ bench: "sessions", phase, elapsedS, clients, failed, sessionExpiryMs, nodes: reports }))
  }
  const sampler = (async () => {
    for (let at = sampleEveryMs; at <= seconds * 1000; at += sampleEveryMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + at - performance.now())))
      await sample(at / 1000, "load")
    }
  })()
  await Promise.all([...Array.from({ length: concurrency }, (_, w) => writer(w)), sampler])
  // Every request answered: no record is left; the sessions of the last seconds end at the next sweeps.
  await sample(seconds, "after the load")
} finally {
  await Effect.runPromise(clusterDown(dir))
  rmSync(dir, { recursive: true, force: true })
}
