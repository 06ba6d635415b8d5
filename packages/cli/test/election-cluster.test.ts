/**
 * The three elections as clusters of real `parley node` processes on
 * loopback, started once for the file (bully and ring of five nodes, zk of
 * three and its service): kill -9 of the leader followed by one leader
 * every live node agrees on (the time it took is printed: the README's
 * figures), Bully's takeover by a restarted higher node and its two leaders
 * on a network that delays without bound, the ring repaired round a
 * crashed node, a zk session expiry that moves leadership to the next node
 * only, and bad input.
 */
import { clusterDown, clusterHeal, clusterKill, clusterPartition, clusterRestart, clusterStatus, clusterUp, livePid, readCluster, secretPath } from "@parley/runtime"
import type { NodeEntry, NodeReport } from "@parley/runtime"
import { Effect, Result } from "effect"
import { execFile, spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, stopAll } from "./cluster-harness.ts"
import { frame, peerExchange, rawExchange } from "./cluster-faults.ts"
import { readFileSync } from "node:fs"

interface Cluster {
  readonly dir: string
  readonly nodes: ReadonlyArray<NodeEntry>
}

const start = async (spec: string, nodes: number, ports: number): Promise<Cluster> => {
  const dir = clusterDir()
  await Effect.runPromise(clusterUp({ spec, nodes, dir, basePort: await freeBase(ports), launcher, hosts: hostedSpecs }))
  return { dir, nodes: Result.getOrThrow(readCluster(dir)).nodes }
}

const statuses = (cluster: Cluster): Promise<ReadonlyArray<NodeReport>> => Effect.runPromise(clusterStatus(cluster.dir, hostedSpecs))

/** The leader every answering election node names (the zk service among them), once they all name one; undefined until then. */
const agreedAmong = async (cluster: Cluster, expected: ReadonlyArray<string>, followersKnow = true) => {
  const reports = await statuses(cluster)
  const answering = reports.filter((report) => report.status !== undefined)
  if (answering.map((report) => report.id).join() !== expected.join()) return undefined
  const named = answering.filter((report) => followersKnow || report.status!["leader"] !== null)
  const leaders = new Set(named.map((report) => `${String(report.status!["leader"])}@${String(report.status!["epoch"])}`))
  const leader = named[0]?.status?.["leader"]
  return leaders.size === 1 && typeof leader === "string" && expected.includes(leader) ? { leader, reports: answering } : undefined
}

/** Waits for agreement among `expected` on a leader `wanted` accepts; returns it and how long it took. */
const awaitAgreement = async (cluster: Cluster, expected: ReadonlyArray<string>, wanted: (leader: string) => boolean, followersKnow = true) => {
  const started = Date.now()
  const agreed = await eventually(`${expected.join(", ")} to agree on a leader`, async () => {
    const now = await agreedAmong(cluster, expected, followersKnow)
    return now !== undefined && wanted(now.leader) ? now : undefined
  }, 30_000)
  return { ...agreed, ms: Date.now() - started }
}

const statusOf = (reports: ReadonlyArray<NodeReport>, id: string) => reports.find((report) => report.id === id)?.status

const signal = (cluster: Cluster, id: string, name: "SIGSTOP" | "SIGCONT") => process.kill(livePid(cluster.dir, id)!, name)

const parley = (...args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

/** `parley elect watch --json` in the background, until `stop` ends it (SIGTERM) and returns the lines it printed. */
const watchInBackground = (dir: string) => {
  const child = spawn(process.execPath, [bin, "elect", "watch", "--dir", dir, "--json", "--interval", "100"], { stdio: ["ignore", "pipe", "inherit"] })
  let out = ""
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
  const closed = new Promise((resolve) => child.on("close", resolve))
  return {
    printed: () => out,
    stop: async () => {
      child.kill("SIGTERM")
      await closed
      return out.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>)
    }
  }
}

const others = (ids: ReadonlyArray<string>, ...left: ReadonlyArray<string>) => ids.filter((id) => !left.includes(id))

const five = ["n1", "n2", "n3", "n4", "n5"]
let bully: Cluster
let ring: Cluster
let zk: Cluster

beforeAll(async () => {
  ;[bully, ring, zk] = await Promise.all([start("bully", 5, 5), start("ring", 5, 5), start("zk", 3, 4)])
}, 120_000)

afterAll(async () => {
  // A paused node ignores SIGTERM: let every one go on before the clusters are stopped.
  for (const cluster of [bully, ring, zk]) for (const node of cluster?.nodes ?? []) if (livePid(cluster.dir, node.id) !== undefined) process.kill(livePid(cluster.dir, node.id)!, "SIGCONT")
  await stopAll()
})

// The tests share the clusters and run in order, each leaving its cluster whole for the next.
describe("election clusters of real processes", () => {
  it("bully: kill -9 of the leader, one new leader every live node agrees on; the restarted n5 takes over; elect watch saw it all", async () => {
    await awaitAgreement(bully, five, (leader) => leader === "n5")
    const watching = watchInBackground(bully.dir)
    await eventually("elect watch to see the cluster agree", async () => (watching.printed().includes(`"agreed"`) ? true : undefined))
    await Effect.runPromise(clusterKill(bully.dir, "n5"))
    const failover = await awaitAgreement(bully, others(five, "n5"), (leader) => leader === "n4")
    console.log(`bully: n1..n4 agreed on n4 ${failover.ms} ms after kill -9 of n5`)
    await Effect.runPromise(clusterRestart(bully.dir, "n5", launcher))
    const takeover = await awaitAgreement(bully, five, (leader) => leader === "n5")
    console.log(`bully: every node followed the restarted n5 ${takeover.ms} ms after it answered`)
    expect(statusOf(takeover.reports, "n4")).toMatchObject({ phase: "follower", leader: "n5", epoch: null })

    // The agreement on n5 printed before the kill is there already: wait for one after the agreement on n4.
    const agreedAgain = () => watching.printed().lastIndexOf(`"leader n5","nodes":["n1","n2","n3","n4","n5"]`) > watching.printed().lastIndexOf(`"leader n4"`)
    await eventually("elect watch to see n5 lead again", async () => (agreedAgain() ? true : undefined))
    const lines = await watching.stop()
    expect(lines[0]).toMatchObject({ node: "n1", up: true, leader: "n5", epoch: null })
    expect(lines).toContainEqual(expect.objectContaining({ node: "n5", up: false }))
    expect(lines).toContainEqual(expect.objectContaining({ node: "n1", up: true, leader: "n4" }))
    expect(lines).toContainEqual(expect.objectContaining({ agreed: "leader n4", nodes: ["n1", "n2", "n3", "n4"] }))
    // Agreement on the restarted n5 comes after the one on n4 (a node's own line may still follow it, as the watch polls on).
    const lastAgreement = (leader: string) => lines.findLastIndex((line) => line["agreed"] === `leader ${leader}`)
    expect(lastAgreement("n5")).toBeGreaterThan(lastAgreement("n4"))
  }, 120_000)

  it("bully on a network that delays without bound: n5 cut off keeps leading beside n4, and a paused n5 is replaced; both end when it is heard again", async () => {
    await Effect.runPromise(clusterPartition(bully.dir, "n5/n1,n2,n3,n4"))
    const twoLeaders = await eventually("two live leaders", async () => {
      const reports = await statuses(bully)
      const leading = reports.filter((report) => report.status?.["phase"] === "leader").map((report) => report.id)
      return leading.join() === "n4,n5" ? reports : undefined
    })
    expect(statusOf(twoLeaders, "n1")).toMatchObject({ leader: "n4" })
    await Effect.runPromise(clusterHeal(bully.dir))
    await awaitAgreement(bully, five, (leader) => leader === "n5")

    signal(bully, "n5", "SIGSTOP")
    await awaitAgreement(bully, others(five, "n5"), (leader) => leader === "n4")
    signal(bully, "n5", "SIGCONT")
    // n5 never noticed it was gone: it goes on leading, and its Heartbeats bring every node back to it.
    await awaitAgreement(bully, five, (leader) => leader === "n5")
  }, 120_000)

  it("ring: kill -9 of the leader; n4 skips it and the repaired ring agrees on n4 in a later epoch", async () => {
    const before = await awaitAgreement(ring, five, (leader) => leader === "n5")
    const epoch = Number(statusOf(before.reports, "n1")?.["epoch"])
    await Effect.runPromise(clusterKill(ring.dir, "n5"))
    const repaired = await awaitAgreement(ring, others(five, "n5"), (leader) => leader === "n4")
    console.log(`ring: n1..n4 agreed on n4 ${repaired.ms} ms after kill -9 of n5`)
    expect(statusOf(repaired.reports, "n4")).toMatchObject({ phase: "leader", skipped: ["n5"] })
    expect(Number(statusOf(repaired.reports, "n4")?.["epoch"])).toBeGreaterThan(epoch)
    for (const id of ["n1", "n2", "n3"]) expect(statusOf(repaired.reports, id)).toMatchObject({ phase: "follower", skipped: [] })
  }, 120_000)

  it("zk: a paused leader's session expires and only the next node is woken to lead; resumed, it joins behind the last", async () => {
    const nodes = ["zk", "n1", "n2", "n3"]
    // Which node created n-1 depends on whose Create the service took first: find the order from the znodes.
    const first = await awaitAgreement(zk, nodes, () => true, false)
    const owners = (statusOf(first.reports, "zk")?.["znodes"] as ReadonlyArray<string>).map((znode) => /\((n\d)\)$/.exec(znode)![1]!)
    const [leader, next, last] = owners as [string, string, string]
    const znodeOf = (id: string) => statusOf(first.reports, id)?.["znode"]
    expect(first.leader).toBe(leader)
    expect(statusOf(first.reports, last)).toMatchObject({ phase: "watching", watching: znodeOf(next) })
    signal(zk, leader, "SIGSTOP")
    const taken = await awaitAgreement(zk, ["zk", ...others(["n1", "n2", "n3"], leader)], (now) => now === next, false)
    console.log(`zk: the service and ${next} agreed on ${next} ${taken.ms} ms after ${leader} was paused (a 2 s session timeout)`)
    expect(statusOf(taken.reports, next)).toMatchObject({ phase: "leader", znode: znodeOf(next) })
    // The last node watched the next one's znode before and still does: the leader's going woke the next node alone.
    expect(statusOf(taken.reports, last)).toMatchObject({ phase: "watching", watching: znodeOf(next), session: 1 })
    signal(zk, leader, "SIGCONT")
    const back = await eventually(`${leader} to rejoin with a new session`, async () => {
      const reports = await statuses(zk)
      return statusOf(reports, leader)?.["phase"] === "watching" ? reports : undefined
    })
    expect(statusOf(back, leader)).toMatchObject({ session: 2, znode: "n-4", watching: znodeOf(last), leader: null })
    const tree = [`${String(znodeOf(next))} (${next})`, `${String(znodeOf(last))} (${last})`, `n-4 (${leader})`]
    expect(statusOf(back, "zk")).toMatchObject({ leader: next, znodes: tree })

    // The service keeps its tree across kill -9: leadership does not move.
    await Effect.runPromise(clusterKill(zk.dir, "zk"))
    await Effect.runPromise(clusterRestart(zk.dir, "zk", launcher))
    const after = await awaitAgreement(zk, nodes, (now) => now === next, false)
    expect(statusOf(after.reports, "zk")).toMatchObject({ znodes: tree })
  }, 120_000)

  it("bad input gets a 4xx JSON error naming the problem, and the node keeps serving; status and down work", async () => {
    const node = bully.nodes[0]!
    expect(await callNode(node, "GET", "/v1/leader")).toMatchObject({ status: 200, body: { node: "n1", role: "node", leader: "n5", epoch: null } })
    const refusals: ReadonlyArray<readonly [string, string, string | undefined, number, RegExp]> = [
      ["GET", "/v1/nothing", undefined, 404, /^no route \/v1\/nothing; routes: .*\/v1\/leader/],
      ["POST", "/v1/leader", "{}", 405, /^POST is not allowed on \/v1\/leader/],
      ["POST", "/v1/admin/partition", "{not json", 400, /./]
    ]
    for (const [method, path, body, status, error] of refusals) {
      const answer = await callNode(node, method, path, body)
      expect({ path, status: answer.status }).toEqual({ path, status })
      expect(String(answer.body["error"])).toMatch(error)
    }
    expect(await rawExchange(node.client, "GARBAGE\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/)
    await rawExchange(node.peer, "hello, this is not a frame")
    const secret = readFileSync(secretPath(bully.dir), "utf8").trim()
    // A member's frames that fit no Bully message are dropped, and the node goes on.
    await peerExchange(node.peer, secret, "n2", frame(`{"_tag":"Message","body":{"_tag":"Nonsense"}}`))
    expect(await callNode(node, "GET", "/v1/leader")).toMatchObject({ status: 200, body: { leader: "n5" } })

    const [status, badInterval] = await Promise.all([
      parley("cluster", "status", "--dir", zk.dir),
      parley("elect", "watch", "--dir", zk.dir, "--interval", "10")
    ])
    expect(badInterval).toMatchObject({ code: 2, stderr: expect.stringContaining("--interval must be from 50 to 60000 ms, got 10") })
    expect(status.stdout).toMatch(/^zk +\d+ +service +serving +n\d +\d +/m)
    expect(status.stdout).toMatch(/^n\d +\d+ +node +watching +- +- +\d +n-\d +n-\d /m)
    const down = await parley("cluster", "down", "--dir", zk.dir)
    expect(down.stdout).toBe("stopped zk, n1, n2, n3\n")
    await Effect.runPromise(clusterDown(ring.dir))
  }, 120_000)
})
