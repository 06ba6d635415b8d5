import { seededRandom } from "@parley/history"
import { ClusterControlError } from "@parley/runtime"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { ClusterControl, PartitionLayer } from "../src/control.ts"
import { runNemesis } from "../src/nemesis.ts"
import type { NemesisTarget } from "../src/nemesis.ts"
import { Recorder } from "../src/recorder.ts"
import type { NemesisKind } from "../src/recorder.ts"

/** A cluster control that only writes down what it is asked, and refuses what `refuse` names. */
const fakeControl = (refuse: ReadonlyArray<string> = [], nodes = ["n1", "n2", "n3"], partitionLayer: PartitionLayer = "transport") => {
  const calls: Array<string> = []
  const step = (call: string) =>
    Effect.suspend(() => {
      calls.push(call)
      return refuse.includes(call.split(" ")[0]!) ? Effect.fail(new ClusterControlError({ message: `${call} refused` })) : Effect.void
    })
  const control: ClusterControl = {
    nodes,
    partitionLayer,
    leader: Effect.succeed("n2"),
    kill: (node) => step(`kill ${node}`),
    restart: (node) => step(`restart ${node}`),
    pause: (node) => step(`pause ${node}`),
    resume: (node) => step(`resume ${node}`),
    partition: (isolated) => step(`partition ${isolated.join(",")}`),
    heal: step("heal"),
    resumeAll: Effect.void,
    recover: Effect.void
  }
  return { control, calls }
}

const run = (control: ClusterControl, kinds: ReadonlyArray<NemesisKind>, target: NemesisTarget, recorder = new Recorder()) =>
  Effect.runPromise(runNemesis(control, recorder, seededRandom(42), {
    kinds,
    target,
    timings: { quietMs: [5, 10], faultMs: [5, 10] },
    endAt: Date.now() + 400
  })).then(() => recorder)

const undoOf: Record<string, string> = { kill: "restart", pause: "resume", partition: "heal" }

describe("the nemesis", () => {
  it("undoes every fault before it starts the next, and before it returns", async () => {
    const { control, calls } = fakeControl()
    const recorder = await run(control, ["kill", "pause", "partition", "restart"], "any")
    expect(calls.length).toBeGreaterThan(4)
    for (let i = 0; i < calls.length; i++) {
      const [verb, node] = calls[i]!.split(" ")
      if (verb === "restart" && calls[i - 1]?.startsWith("kill")) continue
      const undo = undoOf[verb!]
      if (undo === undefined) continue
      expect(calls[i + 1]).toBe(undo === "heal" ? "heal" : `${undo} ${node}`)
    }
    const starts = recorder.faults.filter((event) => event.phase === "start" && event.fault !== "restart").length
    expect(recorder.faults.filter((event) => event.phase === "end")).toHaveLength(starts)
  })

  it("strikes the leader every time with --target leader", async () => {
    const { control, calls } = fakeControl()
    const recorder = await run(control, ["kill", "pause", "partition"], "leader")
    expect(calls.filter((call) => call !== "heal").every((call) => call.endsWith(" n2"))).toBe(true)
    expect(recorder.faults.filter((event) => event.phase === "start").every((event) => event.description.includes("n2 (the leader)"))).toBe(true)
  })

  it("logs a step the cluster refuses as an error and goes on", async () => {
    const { control, calls } = fakeControl(["pause"])
    const recorder = await run(control, ["pause"], "any")
    expect(calls.length).toBeGreaterThan(1)
    expect(calls.every((call) => call.startsWith("pause"))).toBe(true)
    expect(recorder.faults.every((event) => event.phase === "error" && event.description.includes("refused"))).toBe(true)
    const nemesisRecords = recorder.records.filter((record) => record.process === "nemesis")
    expect(nemesisRecords).toHaveLength(recorder.faults.length)
  })

  it("does nothing without kinds", async () => {
    const { control, calls } = fakeControl()
    await run(control, [], "mixed")
    expect(calls).toEqual([])
  })

  it("isolates a node or splits a minority from the majority, and logs where and how it cut", async () => {
    const { control, calls } = fakeControl([], ["n1", "n2", "n3", "n4", "n5"], "network")
    const recorder = new Recorder()
    await Effect.runPromise(runNemesis(control, recorder, seededRandom(7), {
      kinds: ["partition"],
      target: "any",
      timings: { quietMs: [1, 2], faultMs: [1, 2] },
      endAt: Date.now() + 600
    }))
    const starts = recorder.faults.filter((event) => event.phase === "start")
    expect(starts.length).toBeGreaterThan(2)
    for (const event of starts) {
      expect(event.partition).toEqual({ layer: "network", shape: event.nodes.length === 1 ? "isolate" : "split" })
      expect(event.description).toMatch(/^partition .* \/ .* in the network$/)
    }
    expect(new Set(starts.map((event) => event.partition?.shape))).toEqual(new Set(["isolate", "split"]))
    const cuts = calls.filter((call) => call.startsWith("partition")).map((call) => call.split(" ")[1]!.split(","))
    expect(cuts.every((cut) => cut.length <= 2 && new Set(cut).size === cut.length)).toBe(true)
  })
})
