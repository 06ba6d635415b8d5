/**
 * `parley trace replay FILE --cluster`: a counterexample that a live
 * `parley check` writes is made to happen on real node processes in
 * controlled mode. Raft's forget-vote: a node that restarts without its
 * vote votes again in term 1, and two leaders of term 1 show in the real
 * nodes' statuses; 2pc's no-durable-decision and multi-paxos'
 * forget-promise likewise. The refusals and the divergence report are
 * checked on raft's trace, the divergence with stand-in nodes (no
 * processes).
 */
import type { TraceFile } from "@parley/core"
import { clusterStatus, timerKey } from "@parley/runtime"
import type { ControlReport } from "@parley/runtime"
import { Effect, Exit } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { planReplay } from "../src/replay-plan.ts"
import type { CheckedState, ReplayPlan } from "../src/replay-plan.ts"
import { Divergence, Replayer } from "../src/replay-steps.ts"
import type { ControlledNodes } from "../src/replay-steps.ts"
import { UsageError } from "../src/errors.ts"
import { clusterDir, freeBase, stopAll } from "./cluster-harness.ts"
import { expectEveryStep, parley, readTrace } from "./replay-harness.ts"

const work = clusterDir()
const traceFile = join(work, "forget-vote.trace.json")
const twoPcTrace = join(work, "no-durable-decision.trace.json")
const multiPaxosTrace = join(work, "forget-promise.trace.json")

// The three checks at once: each is mostly starting a process, and the replays wait for them.
// One worker each, so that each finds the same shortest trace every time.
beforeAll(async () => {
  const checks = await Promise.all([
    parley(["check", "raft", "--variant", "forget-vote", "--workers", "1", "--trace-out", traceFile], work),
    parley(["check", "2pc", "--variant", "no-durable-decision", "--participants", "2", "--workers", "1", "--trace-out", twoPcTrace], work),
    parley(["check", "multi-paxos", "--variant", "forget-promise", "--workers", "1", "--trace-out", multiPaxosTrace], work)
  ])
  for (const check of checks) expect(check.code, check.stderr).toBe(1)
  expect(checks[0]!.stdout).toContain(`make it happen on real node processes: parley trace replay ${traceFile} --cluster`)
}, 180_000)

afterAll(stopAll)

describe("parley trace replay on raft's forget-vote", () => {
  it("makes the double vote happen on real nodes: every step as the trace, two leaders of term 1", async () => {
    const dir = clusterDir()
    const run = await parley(["trace", "replay", traceFile, `--cluster=${dir}`, "--base-port", String(await freeBase(3)), "--keep"], work)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const trace = readTrace(traceFile)
    expect(trace.steps.map((step) => step.event._tag)).toContain("Restart")
    expectEveryStep(run.stdout, trace)
    expect(run.stdout).toContain("every live node's state is the trace's last state (reducer state, durable state, armed timers): n1, n2, n3")
    expect(run.stdout).toContain("✗ ElectionSafety (always) does not hold on the real nodes' states, with the history their steps made")
    expect(run.stdout).toMatch(/✗ n\d and n\d each report role leader in term 1 \(GET \/v1\/status\): two leaders in one term/)

    // The cluster kept running: its own statuses, read apart from the replay, show the two leaders.
    const reports = await Effect.runPromise(clusterStatus(dir, hostedSpecs))
    const leaders = reports.filter((report) => report.status?.["role"] === "leader")
    expect(leaders.map((report) => report.status?.["term"])).toEqual([1, 1])
    expect(reports.every((report) => report.status?.["variant"] === "forget-vote")).toBe(true)
  })

  it("refuses a trace the cluster cannot run, and says what it would need", async () => {
    const trace = readTrace(traceFile)
    const refusal = (changed: TraceFile): string => {
      const plan = planReplay(changed)
      return plan instanceof UsageError ? plan.message : "planned"
    }
    expect(refusal({ ...trace, spec: "paxos" })).toMatch(/paxos does not run as a cluster \(the hosted specs: raft, .*\); it needs a HostedSpec/)
    expect(refusal({ ...trace, config: { ...trace.config, variant: "no-such-bug" } })).toMatch(/cannot run raft's variant "no-such-bug"/)
    expect(refusal({ ...trace, steps: trace.steps.slice(1) })).toMatch(/step 1 \(n1 receives MsgVote Term:1 Log:0\/0 from n2\) is not a step of raft here/)

    const withoutCluster = await parley(["trace", "replay", traceFile], work)
    expect(withoutCluster.code).toBe(2)
    expect(withoutCluster.stderr).toMatch(/give --cluster/)
  })

  it("stops with a clear report at the first step a node does not take as the trace's node did", async () => {
    const plan = planReplay(readTrace(traceFile))
    if (plan instanceof UsageError) throw plan
    // Stand-in nodes that start as the trace's do and then do nothing at all.
    const initial = plan.states[0]!
    const idle = standIn(plan, initial)
    const replayer = new Replayer(plan, idle)
    expect(await Effect.runPromise(replayer.start())).toEqual(["n1 started: state matches", "n2 started: state matches", "n3 started: state matches"])
    expect(divergence(await Effect.runPromiseExit(replayer.step(0))))
      .toBe("n2 sent nothing; the trace's node sent MsgVote Term:1 Log:0/0 → n1, MsgVote Term:1 Log:0/0 → n3")
    // A node that starts in another state is named with the fields that differ.
    const elsewhere: ControlledNodes = {
      ...idle,
      awaitReport: (id) => idle.awaitReport(id).pipe(Effect.map((report) => ({ ...report, state: { ...(report.state as object), term: 7 } })))
    }
    expect(divergence(await Effect.runPromiseExit(new Replayer(plan, elsewhere).start())))
      .toBe("n1's state differs from the trace's node's: term 7 here, 0 in the trace")
    // Step 2 delivers n2's MsgVote, which no node sent here.
    expect(divergence(await Effect.runPromiseExit(new Replayer(plan, idle).step(1))))
      .toBe("no node sent MsgVote Term:1 Log:0/0 from n2 to n1; held for n1: nothing")
  })
})

describe("parley trace replay on 2pc's no-durable-decision", () => {
  it("makes the coordinator forget its commit on real nodes: it recovers, presumes abort, and p1 has committed", async () => {
    const run = await parley(["trace", "replay", twoPcTrace, `--cluster=${clusterDir()}`, "--base-port", String(await freeBase(3))], work)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    expect(run.stdout).toContain("the replayer plays the checker's scripted client client")
    expectEveryStep(run.stdout, readTrace(twoPcTrace), ["client"])
    expect(run.stdout).toMatch(/coordinator restarts\n {8}→ coordinator started again on its durable state: sent Abort t1 → p1, Abort t1 → p2; state matches/)
    expect(run.stdout).toContain("✗ CoordinatorAgrees (always) does not hold on the real nodes' states")
    expect(run.stdout).toContain("✗ coordinator reports 1 aborted and 0 committed, while p1 committed (GET /v1/status): the nodes disagree on the outcome")
  })
})

describe("parley trace replay on multi-paxos' forget-promise", () => {
  it("makes a restarted acceptor vote for two values in one slot on real nodes, run with the check's reducer", async () => {
    const dir = clusterDir()
    const run = await parley(["trace", "replay", multiPaxosTrace, `--cluster=${dir}`, "--base-port", String(await freeBase(3))], work)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const trace = readTrace(multiPaxosTrace)
    expect(trace.steps.map((step) => step.event._tag)).toContain("Restart")
    expectEveryStep(run.stdout, trace)
    expect(run.stdout).toContain("✗ AtMostOneChosenPerSlot (always) does not hold on the real nodes' states, with the history their steps made")
    const file = JSON.parse(readFileSync(join(dir, "cluster.json"), "utf8")) as { readonly options: unknown }
    expect(file.options).toMatchObject({ heartbeats: false, resendIdle: false })
  })
})

/** Nodes that report the checker's `state` of each node, whatever they are told. */
const standIn = (plan: ReplayPlan, state: CheckedState): ControlledNodes => {
  const report = (id: string): ControlReport => {
    const index = plan.system.nodes.findIndex((node) => node.id === id)
    const slot = state.nodes[index]!
    if (!slot.up) throw new Error(`${id} is down in the stand-in's state`)
    const durable = plan.system.nodes[index]!.actor.durable(slot.state)
    return { sent: [], replies: [], armed: slot.timers.map(timerKey), state: JSON.parse(JSON.stringify(slot.state)), durable }
  }
  return {
    awaitReport: (id) => Effect.sync(() => report(id)),
    step: (id) => Effect.sync(() => report(id)),
    kill: () => undefined,
    restart: (id) => Effect.sync(() => report(id))
  }
}

const divergence = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return `no divergence: ${exit.value}`
  const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  return error?._tag === "Fail" && error.error instanceof Divergence ? error.error.message : String(exit.cause)
}
