/**
 * `parley trace replay` runs the reducer the check ran, whatever options
 * shaped it: Raft's counterexamples under the options that change its
 * reducer (membership changes and the single-server-change bug, snapshots,
 * leadership transfer, lease reads, the runtime profile) or only the search
 * (symmetry, partial-order reduction), each written by a live `parley
 * check`, replayed on real node processes to the same violation. Before,
 * each of these but the profile diverged at its first step that the option
 * touched: the cluster ran the default reducer.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { UsageError } from "../src/errors.ts"
import { planReplay } from "../src/replay-plan.ts"
import { clusterDir, freeBase, stopAll } from "./cluster-harness.ts"
import { expectEveryStep, parley, readTrace } from "./replay-harness.ts"

interface Case {
  readonly name: string
  readonly check: ReadonlyArray<string>
  readonly processes: number
  readonly property: string
}

const cases: ReadonlyArray<Case> = [
  {
    // The single-server-change bug (raft README): n1 adds n5 in term 1, n2 removes n1 in term 2, n1 wins term 3 with n4 and n5.
    name: "membership",
    check: [
      "--variant", "membership-without-commit", "--nodes", "4", "--membership", "add-remove", "--clients", "0", "--crashes", "0",
      "--max-term", "3", "--max-in-flight", "0", "--max-log", "3", "--campaigners", "2", "--strategy", "sim"
    ],
    processes: 5,
    property: "LeaderCompleteness"
  },
  {
    name: "snapshots",
    check: ["--variant", "stale-snapshot", "--snapshot-every", "1", "--max-term", "1", "--network", "unordered"],
    processes: 3,
    property: "AppliedEntriesStay"
  },
  { name: "transfer", check: ["--variant", "forget-vote", "--transfer"], processes: 3, property: "ElectionSafety" },
  { name: "lease-reads", check: ["--variant", "forget-vote", "--lease-reads", "--checkquorum"], processes: 3, property: "ElectionSafety" },
  { name: "runtime-profile", check: ["--variant", "duplicate-append", "--profile", "runtime", "--por"], processes: 3, property: "LogMatching" },
  { name: "symmetry", check: ["--variant", "forget-vote", "--symmetry"], processes: 3, property: "ElectionSafety" }
]

const work = clusterDir()
const traceOf = (name: string): string => join(work, `${name}.trace.json`)
const dirs = new Map(cases.map(({ name }) => [name, clusterDir()]))
const bases = new Map<string, number>()

// One worker each, so that each check finds the same trace every time; the checks at once, as the replays.
beforeAll(async () => {
  const checks = await Promise.all(cases.map(({ name, check }) => parley(["check", "raft", ...check, "--workers", "1", "--trace-out", traceOf(name)], work)))
  for (const [i, check] of checks.entries()) expect(check.code, `${cases[i]!.name}: ${check.stdout}${check.stderr}`).toBe(1)
  for (const { name, processes } of cases) {
    const taken = new Set(bases.values())
    let base = await freeBase(processes + 1)
    while (taken.has(base)) base = await freeBase(processes + 1)
    bases.set(name, base)
  }
}, 180_000)

afterAll(stopAll)

describe.concurrent("parley trace replay runs the checked reducer under every option of the check", () => {
  for (const { name, check, processes, property } of cases) {
    it(`raft ${check.join(" ")}: every step as the trace's, and ${property} broken on the real nodes`, async () => {
      const run = await parley(["trace", "replay", traceOf(name), `--cluster=${dirs.get(name)}`, "--base-port", String(bases.get(name))], work)
      expect(run.code, run.stdout + run.stderr).toBe(0)
      expect(run.stdout).toContain(`on ${processes} node processes in controlled mode`)
      expectEveryStep(run.stdout, readTrace(traceOf(name)), ["c1", "c2"])
      expect(run.stdout).toContain(`✗ ${property} (always) does not hold on the real nodes' states`)
    }, 180_000)
  }
})

describe("the membership counterexample on real nodes", () => {
  it("runs the model's membership: n5 a spare outside the first configuration, the changes asked by the timers the replayer fires", () => {
    const trace = readTrace(traceOf("membership"))
    const fired = trace.steps.flatMap((step) => (step.event._tag === "Timer" ? [step.event.timer] : []))
    expect(fired).toEqual(expect.arrayContaining(["add-member", "remove-member"]))
    const file = JSON.parse(readFileSync(join(dirs.get("membership")!, "cluster.json"), "utf8")) as { readonly options: unknown; readonly nodes: ReadonlyArray<{ readonly id: string }> }
    expect(file.nodes.map((node) => node.id)).toEqual(["n1", "n2", "n3", "n4", "n5"])
    expect(file.options).toMatchObject({
      membershipChanges: false,
      modelEnvironment: { membership: { members: ["n1", "n2", "n3", "n4"], add: "n5", remove: "n1" }, transfer: false }
    })
  })

  it("refuses a configuration that does not fit the spec's options, naming the option", () => {
    const trace = readTrace(traceOf("membership"))
    const plan = planReplay({ ...trace, config: { ...trace.config, membership: "sideways" } })
    expect(plan instanceof UsageError ? plan.message : "planned").toMatch(/its configuration does not fit raft's options: raft needs membership to be one of none, add, remove, add-remove, got "sideways"/)
  })
})
