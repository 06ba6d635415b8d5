/**
 * `parley trace replay FILE --cluster` for every hosted spec beyond the
 * three of trace-replay.test.ts: for each, a known-buggy variant's
 * counterexample, written by a live `parley check`, is made to happen on
 * real node processes in controlled mode (every step as the trace's, the
 * last state the trace's), and the property is broken on the real nodes'
 * states, with the symptom their statuses show where they can show it.
 * The checks run at once, then the replays at once: each is mostly node
 * processes starting.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clusterDir, freeBase, stopAll } from "./cluster-harness.ts"
import { expectEveryStep, parley, readTrace } from "./replay-harness.ts"

interface Case {
  readonly spec: string
  readonly check: ReadonlyArray<string>
  /** The nodes the replay starts, and the parties it plays (scripted clients, nodes run as no process). */
  readonly processes: number
  readonly played: ReadonlyArray<string>
  readonly property: string
  /** What the real cluster's statuses show of the violation, when they can. */
  readonly symptom?: RegExp
}

const cases: ReadonlyArray<Case> = [
  {
    spec: "bully",
    check: ["--variant", "ignore-answer"],
    processes: 3,
    played: [],
    property: "OneLeader",
    symptom: /✗ n2 and n3 each report themselves leader at once \(GET \/v1\/status\): two leaders/
  },
  {
    spec: "ring",
    check: ["--variant", "forward-smaller"],
    processes: 4,
    played: [],
    property: "OneLeaderPerEpoch",
    symptom: /✗ n\d and n\d each report themselves leader in epoch 1 \(GET \/v1\/status\): two leaders/
  },
  {
    spec: "zk",
    check: ["--variant", "assume-lowest"],
    processes: 4,
    played: [],
    property: "LeaderHoldsLowest",
    symptom: /✗ n3 reports itself leader while zk's lowest znode is n1's \(GET \/v1\/status\): a leader that does not hold the lowest znode/
  },
  { spec: "causal-broadcast", check: ["--variant", "fifo-only"], processes: 3, played: [], property: "CausalDelivery" },
  { spec: "dynamo-register", check: ["--variant", "last-writer-wins"], processes: 3, played: ["c1", "c2"], property: "NoLostWrite" },
  {
    spec: "lock",
    check: ["--variant", "naive"],
    processes: 2,
    played: ["c1", "c2"],
    property: "NoStaleWrite",
    symptom: /✗ resource reports 1 write taken with a token older than one it took before \(GET \/v1\/status\): a stale write/
  },
  // The bug is the clients', which the replayer plays; the real server expires c2's session and wakes c3 as the trace's does.
  { spec: "zk-lock", check: ["--variant", "assume-lowest"], processes: 2, played: ["c1", "c2", "c3"], property: "MutualExclusion" },
  // The saga starts at once, the orchestrator resends within the check's budget, and the inventory's decision is the trace's.
  { spec: "saga", check: ["--variant", "compensate-early"], processes: 4, played: [], property: "AllOrNothing" },
  {
    spec: "saga-choreography",
    check: ["--variant", "no-idempotency"],
    processes: 4,
    played: [],
    property: "AtMostOnce",
    symptom: /✗ payment reports 1 taken twice under one idempotency key \(GET \/v1\/status\): an effect applied more than once/
  }
]

const work = clusterDir()
const traceOf = (spec: string): string => join(work, `${spec}.trace.json`)

/** A free block of ports for each replay, no two the same: the replays run at once, and each picks its block at random. */
const bases = new Map<string, number>()
const distinctBase = async (processes: number): Promise<number> => {
  const taken = new Set(bases.values())
  for (;;) {
    const base = await freeBase(processes)
    if (!taken.has(base)) return base
  }
}

// One worker each, so that each check finds the same shortest trace every time.
beforeAll(async () => {
  const checks = await Promise.all(cases.map(({ spec, check }) => parley(["check", spec, ...check, "--workers", "1", "--trace-out", traceOf(spec)], work)))
  for (const [i, check] of checks.entries()) {
    expect(check.code, `${cases[i]!.spec}: ${check.stderr}`).toBe(1)
    expect(check.stdout).toContain(`make it happen on real node processes: parley trace replay ${traceOf(cases[i]!.spec)} --cluster`)
  }
  for (const { spec, processes } of cases) bases.set(spec, await distinctBase(processes))
}, 180_000)

afterAll(stopAll)

describe.concurrent("parley trace replay on every hosted spec's known bug", () => {
  for (const { spec, check, processes, played, property, symptom } of cases) {
    it(`${spec} ${check.join(" ")}: the trace happens on real nodes and ${property} is broken there`, async () => {
      const run = await parley(["trace", "replay", traceOf(spec), `--cluster=${clusterDir()}`, "--base-port", String(bases.get(spec))], work)
      expect(run.code, run.stdout + run.stderr).toBe(0)
      expect(run.stdout).toContain(`on ${processes} node processes in controlled mode`)
      expectEveryStep(run.stdout, readTrace(traceOf(spec)), played)
      expect(run.stdout).toMatch(/every live node's state is the trace's last state \(reducer state, durable state, armed timers\)/)
      expect(run.stdout).toMatch(new RegExp(`✗ ${property} \\(always\\) does not hold on the real nodes' states`))
      if (symptom !== undefined) expect(run.stdout).toMatch(symptom)
    }, 180_000)
  }
})
