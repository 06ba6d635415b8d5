/**
 * Real clusters for tests: node processes of the real `parley` binary on
 * loopback, started and stopped through the same functions `parley cluster`
 * uses. Every cluster gets its own directory and ports, and `stopAll` kills
 * whatever a test leaves running. Calls made through `callNode` here have
 * each success answer checked against what its route declares.
 */
import { kvPath } from "@parley/kv"
import { hostedSpecs } from "../src/hosted.ts"
import { answerMisfit } from "./declared-answers.ts"
import { agreedLeader, awaitLeader, callNode as callNodeUnchecked, clusterDown, clusterStatus, clusterUp, freeBasePort, makeRouter, readCluster } from "@parley/runtime"
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

/** A cluster of `spec` (raft unless named), with the cluster file's `options` for it. */
export const startCluster = async (nodes = 3, spec = "raft", options?: Readonly<Record<string, unknown>>): Promise<TestCluster> => {
  const dir = clusterDir()
  const { reports } = await Effect.runPromise(
    clusterUp({ spec, nodes, dir, basePort: await freeBase(nodes), launcher, hosts: hostedSpecs, ...(options === undefined ? {} : { options }) })
  )
  return { dir, nodes: Result.getOrThrow(readCluster(dir)).nodes, leader: agreedLeader(reports)!.id }
}

/** Answers that did not fit their route's declared answer, said again by `stopAll` in case a probe's retry swallowed the error. */
const misfits: Array<string> = []

/** Stops and removes every cluster; then fails if any success answer did not fit what its route declares. */
export const stopAll = async (): Promise<void> => {
  for (const dir of started) {
    await Effect.runPromise(clusterDown(dir)).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
  started.clear()
  const found = misfits.splice(0)
  if (found.length > 0) throw new Error(`answers that do not fit their routes' declared answers:\n${found.join("\n")}`)
}

/** The hosted spec a node of one of this file's clusters runs, by its client address, as its cluster file says. */
const hostedAt = (node: NodeEntry) => {
  for (const dir of started) {
    const file = readCluster(dir)
    if (Result.isSuccess(file) && file.success.nodes.some((entry) => entry.client === node.client)) {
      return hostedSpecs.find((hosted) => hosted.name === file.success.spec)
    }
  }
  return undefined
}

/**
 * `callNode`, and a success answer of a spec's route that does not fit the
 * answer the route declares (what `GET /v1/openapi.json` tells clients) is
 * an error: the description must not drift from what nodes really send.
 */
export const callNode: typeof callNodeUnchecked = async (node, method, path, ...rest) => {
  const answer = await callNodeUnchecked(node, method, path, ...rest)
  if (answer.status < 200 || answer.status >= 300) return answer
  const misfit = misfitAt(node, method, path, answer)
  if (misfit === undefined) return answer
  misfits.push(misfit)
  throw new Error(misfit)
}

const misfitAt = (node: NodeEntry, method: string, path: string, answer: ApiAnswer): string | undefined => {
  const hosted = hostedAt(node)
  if (hosted === undefined) return `${node.id} (${node.client}) is a node of no cluster of this file: its answer to ${method} ${path} cannot be checked`
  const target = makeRouter(hosted.api.routes)(method, path)
  const misfit = target._tag === "Call" ? answerMisfit(target.route, answer.status, answer.body) : undefined
  return misfit === undefined ? undefined : `${hosted.name} at ${node.id}: ${misfit}`
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
