/**
 * Real clusters for tests: node processes of the real `parley` binary on
 * loopback, started and stopped through the same functions `parley cluster`
 * uses. Every cluster gets its own directory and ports, and `stopAll` kills
 * whatever a test leaves running.
 */
import { kvPath } from "@parley/kv"
import { agreedLeader, awaitLeader, callNode, clusterDown, clusterStatus, clusterUp, freeBasePort, readCluster } from "@parley/runtime"
import type { ApiAnswer, Launcher, NodeReport } from "@parley/runtime"
import type { NodeEntry } from "@parley/runtime"
import { Effect, Result } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../bin/parley.mjs", import.meta.url))
export const launcher: Launcher = { executable: process.execPath, args: [bin] }

const started = new Set<string>()

export interface TestCluster {
  readonly dir: string
  readonly nodes: ReadonlyArray<NodeEntry>
  readonly leader: string
}

/** A block of ports free now and out of the ephemeral range: node i uses base + i and base + 100 + i. */
export const freeBase = (nodes = 3): Promise<number> => Effect.runPromise(freeBasePort(nodes))

/** A fresh directory for a cluster that `stopAll` stops and removes, even after a test that timed out. */
export const clusterDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "parley-cluster-"))
  started.add(dir)
  return dir
}

export const startCluster = async (nodes = 3): Promise<TestCluster> => {
  const dir = clusterDir()
  const { reports } = await Effect.runPromise(clusterUp({ spec: "raft", nodes, dir, basePort: await freeBase(nodes), launcher }))
  return { dir, nodes: Result.getOrThrow(readCluster(dir)).nodes, leader: agreedLeader(reports)!.id }
}

export const stopAll = async (): Promise<void> => {
  for (const dir of started) {
    await Effect.runPromise(clusterDown(dir)).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
  started.clear()
}

export const nodeOf = (cluster: TestCluster, id: string): NodeEntry => cluster.nodes.find((node) => node.id === id)!

export const put = (node: NodeEntry, key: string, value: string, timeoutMs = 5000): Promise<ApiAnswer> =>
  callNode(node, "PUT", `${kvPath(key)}?timeout=${timeoutMs}`, value, timeoutMs + 2000)

export const get = (node: NodeEntry, key: string): Promise<ApiAnswer> => callNode(node, "GET", kvPath(key), undefined, 7000)

export const statuses = (cluster: TestCluster): Promise<ReadonlyArray<NodeReport>> => Effect.runPromise(clusterStatus(cluster.dir))

export const leaderNow = async (cluster: TestCluster, timeoutMs = 15_000): Promise<string> =>
  (await Effect.runPromise(awaitLeader(cluster.dir, timeoutMs))).leader.id

export { agreedLeader }

/** Polls `probe` every 100 ms until it returns a value, or fails after `timeoutMs`. */
export const eventually = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs = 15_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
