/**
 * Raft's snapshots with real processes on loopback: a follower killed with
 * -9 while the leader compacts its log past everything the follower has,
 * restarted, catches up by InstallSnapshot; no acknowledged write is lost,
 * and every node's sqlite file keeps the snapshot and a short log tail.
 */
import { clusterKill, clusterRestart } from "@parley/runtime"
import { Effect } from "effect"
import { DatabaseSync } from "node:sqlite"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually, get, launcher, nodeOf, put, startCluster, statuses, stopAll } from "./cluster-harness.ts"
import type { TestCluster } from "./cluster-harness.ts"
import { expectAllReadable, keepWriting } from "./cluster-faults.ts"

/** A snapshot every 32 entries, so a few hundred writes compact the log several times over. */
const snapshotEvery = 32

/** A status field of one node, as a number (undefined while the node does not answer). */
const statusOf = async (cluster: TestCluster, id: string, field: string): Promise<number | undefined> => {
  const report = (await statuses(cluster)).find((r) => r.id === id)
  const value = report?.status?.[field]
  return typeof value === "number" ? value : undefined
}

/** What a node's sqlite file holds of its durable state: the snapshot's last index and the log's rows (chunks of 64 entries). */
const storedOf = (cluster: TestCluster, id: string): { readonly snapshotIndex: number; readonly logRows: number } => {
  const db = new DatabaseSync(join(cluster.dir, `${id}.sqlite`), { readOnly: true })
  try {
    const snapshot = db.prepare("SELECT json FROM field WHERE name = 'snapshot'").get() as { json: string } | undefined
    const rows = db.prepare("SELECT count(*) AS n FROM element WHERE name = 'log'").get() as { n: number }
    return { snapshotIndex: snapshot === undefined ? 0 : (JSON.parse(snapshot.json) as { index: number }).index, logRows: rows.n }
  } finally {
    db.close()
  }
}

describe("a real raft cluster with snapshots", () => {
  let cluster: TestCluster
  const acknowledged = new Map<string, string>()

  beforeAll(async () => {
    cluster = await startCluster(3, "raft", { snapshotEvery })
  }, 60_000)
  afterAll(stopAll)

  it("a follower killed while the leader compacts past it restarts, catches up by InstallSnapshot, and loses no acknowledged write", async () => {
    const leader = nodeOf(cluster, cluster.leader)
    const follower = cluster.nodes.find((node) => node.id !== cluster.leader)!
    for (let i = 0; i < 40; i++) {
      expect((await put(leader, `before-${i}`, `v${i}`)).status).toBe(200)
      acknowledged.set(`before-${i}`, `v${i}`)
    }
    const reached = await eventually("the follower applied the first writes", async () => {
      const applied = await statusOf(cluster, follower.id, "appliedIndex")
      return applied !== undefined && applied >= 40 ? applied : undefined
    })
    await Effect.runPromise(clusterKill(cluster.dir, follower.id))

    // Writers through the two live nodes until the leader's snapshot is past all the follower had, and well past.
    const live = { ...cluster, nodes: cluster.nodes.filter((node) => node.id !== follower.id) }
    const load = keepWriting(live, "while-down")
    await eventually("the leader compacted past the follower's log", async () => {
      const snapshotIndex = await statusOf(cluster, cluster.leader, "snapshotIndex")
      return snapshotIndex !== undefined && snapshotIndex > reached + 4 * snapshotEvery ? snapshotIndex : undefined
    }, 60_000)
    const written = await load.stop()
    for (const [key, value] of written) acknowledged.set(key, value)

    await Effect.runPromise(clusterRestart(cluster.dir, follower.id, launcher))
    const caughtUp = await eventually("the restarted follower applied what the leader did", async () => {
      const [mine, leaders] = [await statusOf(cluster, follower.id, "appliedIndex"), await statusOf(cluster, cluster.leader, "appliedIndex")]
      return mine !== undefined && mine === leaders ? mine : undefined
    }, 30_000)
    // Its snapshot is the leader's: past the entries it ever had, so it came by InstallSnapshot, not by its own compaction.
    expect(await statusOf(cluster, follower.id, "snapshotIndex")).toBeGreaterThan(reached + snapshotEvery)
    expect(caughtUp).toBeGreaterThan(reached + 4 * snapshotEvery)
    for (const node of cluster.nodes) await expectAllReadable(cluster, node.id, acknowledged)
  }, 120_000)

  it("keeps each node's sqlite file bounded: the snapshot and a log tail of a snapshot's worth, rows before it deleted", async () => {
    for (const node of cluster.nodes) {
      const { snapshotIndex, logRows } = storedOf(cluster, node.id)
      const logEntries = await statusOf(cluster, node.id, "logEntries")
      expect(snapshotIndex).toBeGreaterThan(4 * snapshotEvery)
      // A tail of at most snapshotEvery entries plus the last batch applied: a few 64-entry chunks, not the hundreds of entries written.
      expect(logEntries).toBeLessThanOrEqual(4 * snapshotEvery)
      expect(logRows).toBeLessThanOrEqual(Math.ceil((4 * snapshotEvery) / 64) + 1)
    }
  })

  it("a node restarted with a snapshot serves reads again, with every write it held", async () => {
    const follower = cluster.nodes.find((node) => node.id !== cluster.leader)!
    await Effect.runPromise(clusterKill(cluster.dir, follower.id))
    await Effect.runPromise(clusterRestart(cluster.dir, follower.id, launcher))
    const answer = await eventually("a read through the restarted node", async () => {
      const read = await get(follower, "before-0")
      return read.status === 200 ? read : undefined
    })
    expect(answer.body["value"]).toBe("v0")
    await expectAllReadable(cluster, follower.id, acknowledged)
  }, 60_000)
})
