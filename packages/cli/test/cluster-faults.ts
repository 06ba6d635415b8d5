/**
 * What the real-cluster tests do to a cluster, whichever spec it runs: a
 * load of writers that remembers what was acknowledged, reading it all
 * back, and raw bytes and frames at a port.
 */
import { clusterKill, clusterRestart, peerKeyOf } from "@parley/runtime"
import { Effect } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import { expect } from "vitest"
import { eventually, get, launcher, leaderNow, nodeOf, put } from "./cluster-harness.ts"
import type { TestCluster } from "./cluster-harness.ts"

/**
 * Writers that keep writing fresh keys through every node in turn until
 * stopped, and remember which writes were acknowledged: the writes that
 * must survive whatever happens meanwhile.
 */
export const keepWriting = (cluster: TestCluster, prefix: string, writers = 4) => {
  const acknowledged = new Map<string, string>()
  let running = true
  const writer = async (w: number) => {
    for (let i = 0; running; i++) {
      const key = `${prefix}-${w}-${i}`
      const value = `v${i}`
      const answer = await put(cluster.nodes[(w + i) % cluster.nodes.length]!, key, value, 3000).catch(() => undefined)
      if (answer?.status === 200) acknowledged.set(key, value)
    }
  }
  const done = Promise.all(Array.from({ length: writers }, (_, w) => writer(w)))
  return {
    acknowledged,
    stop: async () => {
      running = false
      await done
      return acknowledged
    }
  }
}

/** Reads every write back through one node, 32 reads at a time. */
export const expectAllReadable = async (cluster: TestCluster, through: string, writes: ReadonlyMap<string, string>) => {
  const entries = [...writes]
  for (let start = 0; start < entries.length; start += 32) {
    const batch = entries.slice(start, start + 32)
    const answers = await Promise.all(batch.map(([key]) => get(nodeOf(cluster, through), key)))
    answers.forEach((answer, i) => {
      const [key, value] = batch[i]!
      expect({ key, status: answer.status, value: answer.body["value"] }).toEqual({ key, status: 200, value })
    })
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Kills the leader with -9 under a load of writers: a survivor must become
 * leader, writes must go on, and every write acknowledged is readable
 * through every survivor.
 */
export const expectFailoverKeepsWrites = async (cluster: TestCluster): Promise<void> => {
  const load = keepWriting(cluster, "failover")
  await sleep(1500)
  const before = load.acknowledged.size
  await Effect.runPromise(clusterKill(cluster.dir, cluster.leader))
  const survivors = cluster.nodes.filter((node) => node.id !== cluster.leader)
  const newLeader = await eventually("a new leader", async () => {
    const leader = await leaderNow(cluster, 1000)
    return leader !== cluster.leader ? leader : undefined
  })
  await sleep(1500)
  const writes = await load.stop()
  expect(before).toBeGreaterThan(0)
  expect(writes.size).toBeGreaterThan(before)
  expect(survivors.map((node) => node.id)).toContain(newLeader)
  for (const node of survivors) await expectAllReadable(cluster, node.id, writes)
}

/**
 * Kills every node with -9 under a load of writers, restarts them all, and
 * reads every acknowledged write back through every node; more than
 * `moreThan` writes must have been acknowledged first.
 */
export const expectRestartOfAllKeepsWrites = async (cluster: TestCluster, moreThan = 0): Promise<void> => {
  const load = keepWriting(cluster, "restart", 8)
  await sleep(2000)
  for (const node of cluster.nodes) await Effect.runPromise(clusterKill(cluster.dir, node.id))
  const writes = await load.stop()
  expect(writes.size).toBeGreaterThan(moreThan)
  for (const node of cluster.nodes) await Effect.runPromise(clusterRestart(cluster.dir, node.id, launcher))
  await leaderNow(cluster)
  for (const node of cluster.nodes) await expectAllReadable(cluster, node.id, writes)
}

/** Sends raw bytes to a port, then returns whatever came back before the server closed the connection. */
export const rawExchange = (address: string, bytes: Buffer | string): Promise<string> =>
  new Promise((resolve) => {
    const [host, port] = address.split(":") as [string, string]
    const socket = net.connect({ host, port: Number(port) }, () => socket.end(bytes))
    let received = ""
    socket.on("data", (chunk) => (received += chunk.toString()))
    socket.on("close", () => resolve(received))
    socket.on("error", () => resolve(received))
    socket.setTimeout(5000, () => socket.destroy())
  })

/** As rawExchange, over a link that proves `secret` as node `identity`: what a member (or a holder of the secret) can send. */
export const peerExchange = (address: string, secret: string, identity: string, bytes: Buffer): Promise<void> =>
  new Promise((resolve) => {
    const [host, port] = address.split(":") as [string, string]
    const socket = tls.connect({
      host,
      port: Number(port),
      minVersion: "TLSv1.3",
      pskCallback: () => ({ identity, psk: peerKeyOf(secret) }),
      checkServerIdentity: () => undefined
    }, () => socket.end(bytes))
    socket.on("close", () => resolve())
    socket.on("error", () => resolve())
    socket.setTimeout(5000, () => socket.destroy())
  })

export const frame = (json: string): Buffer => {
  const body = Buffer.from(json)
  const header = Buffer.alloc(4)
  header.writeUInt32BE(body.length)
  return Buffer.concat([header, body])
}
