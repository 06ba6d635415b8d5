/**
 * `parley validate` end to end on real node processes: a Raft cluster
 * written to through a kill -9, a restart and a partition validates (every
 * step replays, the logs merge, the invariants and the history hold); the
 * stale-read variant, hosted for demonstration, is caught from its logs
 * alone, with a trace that `parley trace show` renders.
 */
import { agreedLeader, clusterDown, clusterHeal, clusterKill, clusterPartition, clusterRestart, clusterStatus, clusterUp, readCluster } from "@parley/runtime"
import type { NodeEntry } from "@parley/runtime"
import { ValidationVerdict } from "@parley/validate"
import { Effect, Result, Schema } from "effect"
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, clusterDir, eventually, freeBase, get, launcher, put, stopAll } from "./cluster-harness.ts"

afterAll(stopAll)

interface Finished {
  readonly code: number | null
  readonly stdout: string
}

const parley = (args: ReadonlyArray<string>): Promise<Finished> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 100_000 }, (error, stdout) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout }))
  })

const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** A Raft cluster of three, hosting `variant` if given, with the cluster file's `options`. */
const raftCluster = async (variant?: string, options?: Readonly<Record<string, unknown>>) => {
  const dir = clusterDir()
  const { reports } = await run(clusterUp({
    spec: "raft",
    nodes: 3,
    dir,
    basePort: await freeBase(3),
    launcher,
    hosts: hostedSpecs,
    ...(variant === undefined ? {} : { variant }),
    ...(options === undefined ? {} : { options })
  }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  return { dir, nodes, leader: agreedLeader(reports)!.id }
}

const entry = (nodes: ReadonlyArray<NodeEntry>, id: string): NodeEntry => nodes.find((node) => node.id === id)!

/** A leader that a majority of `among` names, other than `not`. */
const newLeader = (dir: string, among: ReadonlyArray<string>, not: string) =>
  eventually(`a leader among ${among.join(", ")}`, async () => {
    const reports = (await run(clusterStatus(dir))).filter((report) => among.includes(report.id))
    const leaders = reports.map((report) => report.status?.["leader"]).filter((leader) => typeof leader === "string" && leader !== not)
    return leaders.length === among.length && leaders.every((leader) => leader === leaders[0]) ? String(leaders[0]) : undefined
  }, 20_000)

const verdictOf = (stdout: string): ValidationVerdict & { readonly trace: string | null } => {
  const line = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>
  return { ...Schema.decodeUnknownSync(ValidationVerdict)(line), trace: typeof line["trace"] === "string" ? line["trace"] : null }
}

describe("parley validate", () => {
  it("validates a cluster written to through kill -9, a restart and a partition", async () => {
    const cluster = await raftCluster()
    const follower = cluster.nodes.find((node) => node.id !== cluster.leader)!.id
    for (let i = 0; i < 10; i++) expect((await put(entry(cluster.nodes, cluster.leader), `k${i % 3}`, `a${i}`)).status).toBe(200)
    await run(clusterKill(cluster.dir, follower))
    for (let i = 0; i < 10; i++) expect((await put(entry(cluster.nodes, cluster.leader), `k${i % 3}`, `b${i}`)).status).toBe(200)
    await run(clusterRestart(cluster.dir, follower, launcher))
    const rest = cluster.nodes.map((node) => node.id).filter((id) => id !== cluster.leader)
    await run(clusterPartition(cluster.dir, `${cluster.leader}/${rest.join(",")}`))
    const leader = await newLeader(cluster.dir, rest, cluster.leader)
    for (let i = 0; i < 10; i++) expect((await put(entry(cluster.nodes, leader), `k${i % 3}`, `c${i}`)).status).toBe(200)
    await run(clusterHeal(cluster.dir))
    await eventually("the old leader to catch up", async () => ((await get(entry(cluster.nodes, cluster.leader), "k0")).status === 200 ? true : undefined))
    await run(clusterDown(cluster.dir))

    const validated = await parley(["validate", cluster.dir, "--json"])
    expect(validated.code).toBe(0)
    const verdict = verdictOf(validated.stdout)
    expect(verdict.verdict).toBe("valid")
    expect(verdict.checks.map((check) => [check.check, check.outcome])).toEqual([
      ["replay", "passed"],
      ["merge", "passed"],
      ["invariants", "passed"],
      ["linearizability", "passed"]
    ])
    // The follower ran twice: killed with -9, then recovered from its durable state.
    expect(verdict.nodes.find((node) => node.node === follower)?.runs).toBe(2)
    expect(verdict.checks.find((check) => check.check === "linearizability")?.detail).toMatch(/^3\d operations, linearizable$/)
    expect(verdict.trace).toBeNull()
  }, 120_000)

  it("catches the stale-read variant from its logs: a partitioned leader answers a read from its own store", async () => {
    // Without CheckQuorum the cut-off leader keeps leading, so the stale read does not depend on timing.
    const cluster = await raftCluster("stale-read", { checkquorum: false })
    const old = entry(cluster.nodes, cluster.leader)
    expect((await put(old, "x", "1")).status).toBe(200)
    const rest = cluster.nodes.map((node) => node.id).filter((id) => id !== cluster.leader)
    await run(clusterPartition(cluster.dir, `${cluster.leader}/${rest.join(",")}`))
    const leader = await newLeader(cluster.dir, rest, cluster.leader)
    expect((await put(entry(cluster.nodes, leader), "x", "2")).status).toBe(200)
    const stale = await get(old, "x")
    expect(stale.body).toMatchObject({ value: "1" })
    await run(clusterDown(cluster.dir))

    const validated = await parley(["validate", cluster.dir, "--json"])
    expect(validated.code).toBe(1)
    const verdict = verdictOf(validated.stdout)
    expect(verdict).toMatchObject({ verdict: "invalid", variant: "stale-read", violation: { property: "Linearizable" } })
    expect(verdict.violation?.description).toMatch(/on key x: .*Get\(x\) answered .*Value\(1\)/)
    expect(verdict.trace).toBe(join(cluster.dir, "validate-trace.json"))
    expect(existsSync(verdict.trace!)).toBe(true)
    const shown = await parley(["trace", "show", verdict.trace!])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`${cluster.leader} takes .*Get\\(x\\)`))
    expect(shown.stdout).toMatch(/Linearizable does not hold/)
    expect(JSON.parse(readFileSync(verdict.trace!, "utf8")).property).toEqual({ name: "Linearizable", kind: "always" })
  }, 120_000)
})
