/**
 * `parley test` end to end, as a user runs it: a real cluster of node
 * processes on loopback, clients, faults, the history checked. The correct
 * Raft passes every kind of fault, its clients speaking HTTPS to nodes
 * whose certificates a CA of the run's own signed (`--client-tls`, the
 * configuration a user deploys); the stale-read variant, hosted for
 * demonstration, is caught with the read that saw an overwritten value.
 * Each run is bounded by --time; the cluster lives in a directory the
 * harness stops and removes whatever happens.
 */
import { livePid } from "@parley/runtime"
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { bin, clusterDir, stopAll } from "./cluster-harness.ts"
import { freshReport, parleyTest, removeReports, verdictOf } from "./parley-test-run.ts"

afterEach(async () => {
  await stopAll()
  removeReports()
})

describe("parley test", () => {
  it("finds no anomaly in the correct Raft under kill, pause, partition and restart, its clients over HTTPS", async () => {
    const run = await parleyTest(["--time", "20s", "--seed", "7", "--nemesis", "kill,pause,partition,restart", "--client-tls"])
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^parley test raft: no anomaly found/)
    expect(run.stdout).toMatch(/3 nodes, 8 clients over HTTPS,/)
    expect(run.stderr).toMatch(/raft cluster of 3 up in .*; 8 clients over HTTPS, trusting .*tls\/ca\.crt for 20 s/)
    const verdict = verdictOf(run.report)
    expect(verdict).toMatchObject({ verdict: "valid", anomalies: [], clientTls: true, history: { verdict: "linearizable" } })
    expect(verdict.history.operations.ok).toBeGreaterThan(100)
    expect(Object.values(verdict.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0)
    const history = readFileSync(join(run.report, "history.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))
    expect(history.some((record) => record.process === "nemesis")).toBe(true)
    expect(existsSync(join(run.report, "timeline.html"))).toBe(true)
    expect(existsSync(join(run.report, "anomaly.html"))).toBe(false)
    expect(readFileSync(join(run.report, "logs", "n1.log"), "utf8")).toMatch(/started fresh/)
    expect(readFileSync(join(run.report, "logs", "n1.log"), "utf8")).toMatch(/client API certificate/)
  }, 120_000)

  it("catches the stale-read variant: a read answered by a partitioned leader", async () => {
    const run = await parleyTest(["--time", "25s", "--seed", "3", "--nemesis", "partition", "--target", "leader", "--interval", "1s", "--variant", "stale-read"])
    expect(run.stderr).toMatch(/known-buggy variant "stale-read"/)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^parley test raft --variant stale-read: ANOMALY: not linearizable/)
    const verdict = verdictOf(run.report)
    expect(verdict).toMatchObject({ verdict: "invalid", variant: "stale-read", history: { verdict: "not-linearizable", blocked: { f: "read" } } })
    // The read that cannot be placed was answered while the node that answered it was cut off as the leader.
    expect(verdict.culprit?.node).toBeDefined()
    expect(verdict.culprit?.faults.join(" ")).toContain(`partition ${verdict.culprit?.node} (the leader)`)
    expect(readFileSync(join(run.report, "anomaly.html"), "utf8")).toContain('id="blocked"')
    expect(readFileSync(join(run.report, "timeline.html"), "utf8")).toContain('class="op read ok blocked')
    // Hosted loudly: every node said which variant it runs.
    for (const id of ["n1", "n2", "n3"]) expect(readFileSync(join(run.report, "logs", `${id}.log`), "utf8")).toMatch(/known-buggy variant \\"stale-read\\"/)
  }, 120_000)

  it("stops on Ctrl-C with every node gone, paused ones too, and the history so far on disk", async () => {
    const dir = clusterDir()
    const report = freshReport()
    const child = spawn(process.execPath, [bin, "test", "raft", "--dir", dir, "--report", report, "--time", "90s", "--nemesis", "pause", "--target", "leader", "--interval", "1s"])
    let stderr = ""
    const pids: Array<number> = []
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const bound = setTimeout(() => child.kill("SIGKILL"), 100_000)
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      // A node is frozen now: the moment a stop is most likely to leave one behind.
      if (pids.length === 0 && /SIGSTOP n\d/.test(stderr)) {
        for (const id of ["n1", "n2", "n3"]) pids.push(livePid(dir, id) ?? -1)
        child.kill("SIGINT")
      }
    })
    const code = await exited
    clearTimeout(bound)
    expect(pids).toHaveLength(3)
    expect(code).not.toBe(0)
    expect(stderr).toContain(`the history so far is in ${join(report, "history.jsonl")}`)
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0)
        return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.startsWith("Z")
      } catch {
        return false
      }
    })
    expect(alive).toEqual([])
    const records = readFileSync(join(report, "history.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))
    expect(records.some((record) => record.type === "invoke")).toBe(true)
    expect(records.some((record) => record.process === "nemesis" && record.f === "start-pause")).toBe(true)
  }, 120_000)
})
