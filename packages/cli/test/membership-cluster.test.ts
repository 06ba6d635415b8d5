/**
 * `parley cluster transfer | add | remove` on one real raft cluster of
 * node processes on loopback, each case building on the last: leadership
 * moves to the node named; a fourth node joins, catches up by
 * InstallSnapshot and is counted in the quorum (a write commits with one
 * original follower down); a change while another is pending, an unknown
 * node and a non-member are refused and the cluster goes on; a node added
 * that never runs costs a quorum of the new size until removed; a leader
 * that removes itself steps down; removed nodes stop and writes keep
 * committing, down to the last member, which stays;
 * and every node's event log through all of it validates (`parley validate`).
 */
import { bearer, clusterAdd, clusterDown, clusterHold, clusterKill, clusterRemove, clusterRestart, clusterUp, readClientToken, readCluster } from "@parley/runtime"
import type { NodeEntry } from "@parley/runtime"
import { ValidationVerdict } from "@parley/validate"
import { Effect, Result, Schema } from "effect"
import { execFile } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, leaderNow, put, statuses, stopAll } from "./cluster-harness.ts"
import type { TestCluster } from "./cluster-harness.ts"

const parley = (...args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** The cluster file's nodes now: `cluster add` writes new ones. */
const nodesOf = (dir: string): ReadonlyArray<NodeEntry> => Result.getOrThrow(readCluster(dir)).nodes

const statusOf = async (cluster: TestCluster, id: string) => (await statuses(cluster)).find((report) => report.id === id)

describe("membership changes and leadership transfer on a real raft cluster", () => {
  let cluster: TestCluster
  const admin = (node: NodeEntry, method: string, path: string, body?: unknown) =>
    callNode(node, method, `${path}?timeout=3000`, body === undefined ? undefined : JSON.stringify(body), 6000, bearer(readClientToken(cluster.dir)))

  beforeAll(async () => {
    const dir = clusterDir()
    // A snapshot every 16 entries, so the new node catches up by InstallSnapshot; election timeouts long enough
    // that a leader's links held for a moment (a pending change) start no election.
    const { reports } = await run(clusterUp({
      spec: "raft",
      nodes: 3,
      dir,
      basePort: await freeBase(5),
      launcher,
      hosts: hostedSpecs,
      options: { snapshotEvery: 16 },
      timers: { election: { minMs: 1200, maxMs: 2000 }, "check-quorum": { minMs: 2000, maxMs: 2000 } }
    }))
    cluster = { dir, nodes: nodesOf(dir), leader: reports.find((report) => report.status?.["role"] === "leader")!.id }
  }, 60_000)
  afterAll(stopAll)

  it("transfer moves leadership to the node named, and says so", async () => {
    const target = cluster.nodes.find((node) => node.id !== cluster.leader)!.id
    const moved = await parley("cluster", "transfer", target, "--dir", cluster.dir)
    expect(moved.stderr).toBe("")
    expect(moved.stdout).toMatch(new RegExp(`^leadership moved from ${cluster.leader} to ${target} in term \\d+`))
    expect(await leaderNow(cluster)).toBe(target)
    cluster = { ...cluster, leader: target }
  }, 30_000)

  it("adds a fourth node, which catches up by InstallSnapshot and counts in the quorum", async () => {
    const leader = cluster.nodes.find((node) => node.id === cluster.leader)!
    for (let i = 0; i < 40; i++) expect((await put(leader, `before-${i}`, `v${i}`)).status).toBe(200)
    const added = await run(clusterAdd(cluster.dir, "n4", launcher, hostedSpecs))
    expect(added.members).toEqual(["n1", "n2", "n3", "n4"])
    expect(added.applied).toBeGreaterThanOrEqual(added.index)
    const n4 = await statusOf(cluster, "n4")
    // The leader had compacted past everything before the change: n4's first state was a snapshot.
    expect(n4?.status?.["snapshotIndex"]).toBeGreaterThan(0)

    // With n4 a member, four nodes need three: the leader, one original follower and n4.
    const down = cluster.nodes.find((node) => node.id !== cluster.leader)!.id
    await run(clusterKill(cluster.dir, down))
    const written = await put(leader, "with-n4", "counted")
    expect(written.status).toBe(200)
    const leaderCommit = Number((await statusOf(cluster, cluster.leader))?.status?.["commitIndex"])
    await eventually("n4 applies the write it was counted for", async () => {
      const applied = (await statusOf(cluster, "n4"))?.status?.["appliedIndex"]
      return typeof applied === "number" && applied >= leaderCommit ? applied : undefined
    })
    await run(clusterRestart(cluster.dir, down, launcher))
    cluster = { ...cluster, nodes: nodesOf(cluster.dir) }
  }, 60_000)

  it("refuses a change while one is pending, an unknown node and a non-member, and keeps running", async () => {
    const leader = cluster.nodes.find((node) => node.id === cluster.leader)!
    const others = cluster.nodes.filter((node) => node.id !== cluster.leader).map((node) => node.id)
    const removed = others.find((id) => id !== "n4")!
    // The leader's links held: its removal entry cannot commit until they are released.
    await run(clusterHold(cluster.dir, cluster.leader, others))
    const removal = run(clusterRemove(cluster.dir, removed, hostedSpecs))
    await eventually("the removal is pending at the leader", async () =>
      (await statusOf(cluster, cluster.leader))?.status?.["membershipPending"] === true ? true : undefined)
    const second = await admin(leader, "POST", "/v1/admin/members", { node: "n5" })
    expect(second.status).toBe(409)
    expect(second.body).toEqual({ error: "a membership change is in progress", retry: true })
    await run(clusterHold(cluster.dir, cluster.leader, []))
    const done = await removal
    expect(done.members).not.toContain(removed)
    expect(done.stopped).toBeGreaterThan(0)

    const nonMember = await admin(leader, "DELETE", "/v1/admin/members/n9")
    expect(nonMember.status).toBe(409)
    expect(nonMember.body["error"]).toBe("n9 is not a member")
    const badBody = await admin(leader, "POST", "/v1/admin/leader", { nodes: "n2" })
    expect(badBody.status).toBe(400)
    const unknown = await parley("cluster", "transfer", "n9", "--dir", cluster.dir)
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/no node "n9" in the cluster/)

    expect((await put(leader, "after-removal", "v")).status).toBe(200)
    const report = await statusOf(cluster, removed)
    expect(report?.removed).toBe(true)
    expect(report?.pid).toBeUndefined()
  }, 60_000)

  it("a node added that never runs: the change commits with the others, and removing it is the remedy", async () => {
    const leader = cluster.nodes.find((node) => node.id === cluster.leader)!
    // Added through the route, with no process and no cluster file entry: three live members of four still commit.
    const added = await admin(leader, "POST", "/v1/admin/members", { node: "ghost" })
    expect(added.status).toBe(202)
    await eventually("the configuration with the ghost commits", async () => {
      const status = (await statusOf(cluster, cluster.leader))?.status
      return status?.["membershipPending"] === false && (status["members"] as ReadonlyArray<string>).includes("ghost") ? true : undefined
    })
    expect((await put(leader, "with-a-ghost", "v")).status).toBe(200)
    const removed = await run(clusterRemove(cluster.dir, "ghost", hostedSpecs))
    expect(removed.members).not.toContain("ghost")
    expect(removed.stopped).toBeUndefined()
  }, 60_000)

  it("a leader that removes itself steps down once the removal commits, and another leads", async () => {
    const old = cluster.leader
    const removed = await run(clusterRemove(cluster.dir, old, hostedSpecs))
    expect(removed.members).not.toContain(old)
    const next = await leaderNow(cluster)
    expect(removed.members).toContain(next)
    cluster = { ...cluster, leader: next, nodes: nodesOf(cluster.dir) }
    expect((await put(cluster.nodes.find((node) => node.id === next)!, "after-the-leader-went", "v")).status).toBe(200)
  }, 60_000)

  it("removes nodes while writes keep committing, down to the last member, which stays", async () => {
    cluster = { ...cluster, nodes: nodesOf(cluster.dir) }
    const leader = cluster.nodes.find((node) => node.id === cluster.leader)!
    const rest = cluster.nodes.filter((node) => node.removed !== true && node.id !== cluster.leader)
    for (const node of rest) {
      const removed = await run(clusterRemove(cluster.dir, node.id, hostedSpecs))
      expect(removed.members).not.toContain(node.id)
      expect((await put(leader, `after-${node.id}`, "v")).status).toBe(200)
    }
    const last = await admin(leader, "DELETE", `/v1/admin/members/${cluster.leader}`)
    expect(last.status).toBe(409)
    expect(last.body).toEqual({ error: "the last member stays", retry: false })
    expect((await put(leader, "alone", "v")).status).toBe(200)
    expect((await statusOf(cluster, cluster.leader))?.status?.["members"]).toEqual([cluster.leader])
    // The removed nodes count for no majority: the one member left is the agreed leader.
    expect(await leaderNow(cluster)).toBe(cluster.leader)
  }, 60_000)

  it("what the nodes did through every change validates against the checked spec", async () => {
    await run(clusterDown(cluster.dir))
    const validated = await parley("validate", cluster.dir, "--json")
    const verdict = Schema.decodeUnknownSync(ValidationVerdict)(JSON.parse(validated.stdout.trim().split("\n").at(-1)!))
    expect(verdict.checks.map((check) => [check.check, check.outcome])).toEqual([
      ["replay", "passed"],
      ["merge", "passed"],
      ["invariants", "passed"],
      ["linearizability", "passed"]
    ])
    // ElectableCompleteness counts majorities of one configuration: judged on a cluster that changed its own, it fails.
    const invariants = verdict.checks.find((check) => check.check === "invariants")!.detail
    expect(invariants).toContain("LeaderCompleteness")
    expect(invariants).toContain("ElectableCompleteness left out: it counts majorities of one configuration")
    expect(validated.code).toBe(0)
  }, 60_000)
})
