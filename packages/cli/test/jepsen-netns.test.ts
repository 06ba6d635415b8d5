/**
 * Real partitions: nodes in network namespaces joined by a bridge, cut in
 * the network rather than in their transport. Where this machine can make
 * namespaces (root, `ip netns`), a leader cut off in the network is replaced
 * by the majority while it still believes it leads, and a short `parley
 * test --net netns` of partitions is linearizable and logs them as the
 * network's; everything made is gone afterwards. Where it cannot, `--net
 * netns` is refused with the reason, and nothing is skipped.
 */
import { clusterDown, clusterStatus, clusterUp, namespaceNetwork, netnsUnavailable } from "@parley/runtime"
import type { NodeReport } from "@parley/runtime"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { clusterDir, launcher, stopAll } from "./cluster-harness.ts"
import { parleyTest, removeReports, verdictOf } from "./parley-test-run.ts"

const unavailable = await Effect.runPromise(netnsUnavailable)

afterEach(async () => {
  await stopAll()
  removeReports()
})

/** The namespaces of this machine whose names say process `pid` made them. */
const namespacesOf = (pid: number): Array<string> =>
  execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((line) => new RegExp(`^parley-${pid}[a-z]-`).test(line))

const leaderOf = (reports: ReadonlyArray<NodeReport>, among: (report: NodeReport) => boolean) =>
  reports.find((report) => among(report) && report.status?.["leader"] === report.id && report.status?.["role"] === "leader")

/** Polls the cluster's statuses until `found` names something, for at most `timeoutMs`. */
const pollFor = <A>(dir: string, timeoutMs: number, found: (reports: ReadonlyArray<NodeReport>) => A | undefined) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      const answer = found(yield* clusterStatus(dir, hostedSpecs))
      if (answer !== undefined) return answer
      yield* Effect.sleep(100)
    }
    return yield* Effect.die(new Error(`nothing found within ${timeoutMs} ms`))
  })

describe("partitions in the network", () => {
  if (unavailable !== undefined) {
    it(`refuses --net netns with the reason (this machine: ${unavailable})`, async () => {
      const run = await parleyTest(["--net", "netns", "--time", "2s"])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`--net netns: ${unavailable}`)
      expect(run.stderr).toContain("--net loopback")
    }, 60_000)
    return
  }

  it("a leader cut off in the network is replaced by the majority while it still thinks it leads", async () => {
    const dir = clusterDir()
    const ids = ["n1", "n2", "n3"]
    const seen = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = yield* namespaceNetwork(ids)
      const { reports } = yield* Effect.acquireRelease(
        clusterUp({ spec: "raft", nodes: 3, dir, basePort: 20_000, launcher: network.launcher(launcher), hosts: hostedSpecs, nodeHosts: network.hosts }),
        () => Effect.ignore(clusterDown(dir))
      )
      // Only namespace addresses: every node listens on its own, none on loopback.
      const addresses = reports.flatMap((report) => [report.client, report.peer])
      const old = yield* pollFor(dir, 20_000, (now) => leaderOf(now, () => true))
      yield* network.cut([old.id])
      const successor = yield* pollFor(dir, 20_000, (now) => leaderOf(now, (report) => report.id !== old.id))
      const cutOff = (yield* clusterStatus(dir, hostedSpecs)).find((report) => report.id === old.id)
      yield* network.heal
      return { addresses, subnet: network.subnet, old, successor, cutOff }
    })))
    expect(seen.addresses.every((address) => address.startsWith(seen.subnet.replace(/0\/24$/, "")))).toBe(true)
    expect(seen.successor.status?.["term"]).toBeGreaterThan(Number(seen.old.status?.["term"]))
    // The old leader never heard of the new term, and it blocks nobody itself: the network cut it off, not its transport.
    expect(seen.cutOff?.status?.["term"]).toBe(seen.old.status?.["term"])
    expect(seen.cutOff?.status?.["blocked"]).toEqual([])
    expect(namespacesOf(process.pid)).toEqual([])
  }, 90_000)

  it("parley test --net netns: partitions cut in the network, linearizable, nothing left behind", async () => {
    const run = await parleyTest(["--net", "netns", "--nemesis", "partition", "--target", "leader", "--interval", "1s", "--time", "6s", "--seed", "5"])
    expect(run.stderr).toMatch(/network namespaces: each node in its own, on 10\.213\.\d+\.0\/24/)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^parley test raft: no anomaly found\n.*3 nodes in network namespaces/)
    const verdict = verdictOf(run.report)
    expect(verdict).toMatchObject({ verdict: "valid", net: "netns", history: { verdict: "linearizable" } })
    const starts = readFileSync(join(run.report, "nemesis.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line)).filter((event) => event.phase === "start")
    expect(starts.length).toBeGreaterThan(0)
    for (const event of starts) expect(event).toMatchObject({ fault: "partition", partition: { layer: "network", shape: "isolate" } })
    expect(namespacesOf(run.pid)).toEqual([])
  }, 110_000)
})
