import { always } from "@parley/core"
import { describe, expect, it } from "vitest"
import { buildTrace, check, checkParallel, replay, Search, StateTable, validateCheckOptions } from "../src/index.ts"
import type { CheckOptions, CheckResult, SearchPosition } from "../src/index.ts"
import { greeters } from "./greeters.ts"
import type { Setup, Sys } from "./greeters.ts"

const explored = (setup: Setup, partialOrder: boolean) => {
  const seen = { states: new Set<string>(), steps: new Set<string>() }
  const result: CheckResult = check(greeters(setup, seen), { strategy: "bfs", partialOrder })
  return { result, seen }
}

const setups: ReadonlyArray<readonly [string, Setup]> = [
  ["unordered", { network: "unordered" }],
  ["ordered", { network: "ordered" }],
  ["duplicating", { network: "duplicating" }],
  ["lossy unordered", { network: "unordered", lossy: true }],
  ["lossy ordered", { network: "ordered", lossy: true }],
  ["lossy duplicating", { network: "duplicating", lossy: true }],
  ["two crashes", { network: "unordered", maxCrashes: 2 }],
  ["a ghost kept as a set", { network: "unordered", ghost: "set" }],
  ["a ghost kept in order", { network: "ordered", ghost: "order", maxCrashes: 1 }],
  ["a client", { network: "ordered", clients: 1, maxCrashes: 1 }],
  // Their requests and answers are in the history in the order they happen.
  ["two clients", { network: "unordered", clients: 2 }],
  ["a boundary on what is in flight", { network: "unordered", inFlight: 3, lossy: true }],
  ["a boundary on the order of two nodes' steps", { network: "ordered", heardAfterGreeting: true }]
]

describe("sleep sets on an actor system", () => {
  it.each(setups)("%s: the same states at the same depths and every step still seen by step properties, fewer taken", (_, setup) => {
    const off = explored(setup, false)
    const on = explored(setup, true)
    expect(on.result.result).toBe("ok")
    expect([on.result.distinctStates, on.result.maxDepth, on.result.reached.map((r) => r.property)])
      .toEqual([off.result.distinctStates, off.result.maxDepth, off.result.reached.map((r) => r.property)])
    expect(on.seen.states).toEqual(off.seen.states)
    expect(on.seen.steps).toEqual(off.seen.steps)
    // Every step asleep is one the full search takes; the states expanded are the same.
    expect(on.result.generatedStates + on.result.skippedTransitions!).toBe(off.result.generatedStates)
    expect(on.result.skippedTransitions).toBeGreaterThan(0)
  })

  it("skips nothing between steps whose order a ghost history records", () => {
    // Only the greetings' order differs between the two ghosts; kept in order, fewer steps commute.
    const asSet = explored({ network: "ordered", ghost: "set" }, true).result
    const inOrder = explored({ network: "ordered", ghost: "order" }, true).result
    expect(inOrder.skippedTransitions! / inOrder.generatedStates).toBeLessThan(asSet.skippedTransitions! / asSet.generatedStates)
  })

  it("finds a shortest counterexample that replays, as long as without it", () => {
    const setup: Setup = { network: "unordered", maxCrashes: 1 }
    const model = greeters(setup)
    const broken = { ...model, properties: [always<Sys>("NotAllGreetedAndOneDown", (s) => !(s.crashes === 1 && s.nodes.filter((n) => n.up && n.state.greeted).length === 2))] }
    const off = check(broken, { strategy: "bfs" })
    const on = check(broken, { strategy: "bfs", partialOrder: true })
    expect(on.violation?.property).toBe("NotAllGreetedAndOneDown")
    expect(on.violation!.path.actionIndices).toHaveLength(off.violation!.path.actionIndices.length)
    const { steps } = replay(broken, on.violation!.path)
    expect(broken.properties[0]!.holds(steps.at(-1)!.state)).toBe(false)
    const trace = buildTrace(broken, { spec: "greeters", config: {}, property: { name: "NotAllGreetedAndOneDown", kind: "always" } }, on.violation!.path)
    expect(trace.steps.map((s) => s.event._tag)).toContain("Crash")
  })

  it("on two threads sharing every level: the same states, fewer steps", async () => {
    const setup: Setup = { network: "ordered", clients: 1, maxCrashes: 1 }
    const source = { module: new URL("./greeters.ts", import.meta.url).href, export: "greeters", input: setup }
    const one = check(greeters(setup), { strategy: "bfs", partialOrder: true })
    const two = await checkParallel(source, { strategy: "bfs", partialOrder: true }, 2, { statesPerWorkerToSplit: 1 })
    expect([two.result, two.distinctStates, two.maxDepth]).toEqual([one.result, one.distinctStates, one.maxDepth])
    // A state another thread stored is expanded with no sleep set, so no fewer steps than on one thread, but fewer than none.
    expect(two.skippedTransitions).toBeGreaterThan(0)
    expect(two.generatedStates + two.skippedTransitions!).toBe(one.generatedStates + one.skippedTransitions!)
  })

  it("stopped at a level's end and resumed from its snapshot: the same states, the resumed frontier awake", async () => {
    const setup: Setup = { network: "unordered", maxCrashes: 1, lossy: true }
    const whole = check(greeters(setup), { strategy: "bfs", partialOrder: true })
    const stop = new AbortController()
    let levels = 0
    let stoppedAt: SearchPosition | undefined
    await new Search(greeters(setup), {
      strategy: "bfs",
      partialOrder: true,
      signal: stop.signal,
      onLevel: () => ++levels === 4 && stop.abort(),
      onStopped: (at) => (stoppedAt = at)
    }).runInterruptibly()
    const snapshot = stoppedAt!.snapshot()
    const table = StateTable.restored(stoppedAt!.stateTable.saved())
    const resumed = await new Search(greeters(setup), { strategy: "bfs", partialOrder: true, resume: snapshot }, table).runInterruptibly()
    expect([resumed.result, resumed.distinctStates, resumed.maxDepth]).toEqual(["ok", whole.distinctStates, whole.maxDepth])
  })

  it("is refused with liveness or another strategy than bfs, and does nothing to a model that declares no commuting steps", () => {
    const options = (more: Partial<CheckOptions>): CheckOptions => ({ strategy: "bfs", partialOrder: true, ...more })
    expect(validateCheckOptions(options({ liveness: true }))).toEqual([
      "partialOrder goes with strategy bfs, without liveness: sleep sets prune steps, which a cycle search and a walk need"
    ])
    expect(validateCheckOptions(options({ strategy: "dfs" }))).toHaveLength(1)
    expect(validateCheckOptions(options({}))).toEqual([])
    const plain = { ...greeters({ network: "unordered" }) }
    const counter = { init: () => [0], actions: () => ["inc"], next: (n: number) => (n < 3 ? n + 1 : undefined), properties: [], describe: () => ({ _tag: "Local" as const, node: "c", label: "inc" }), lanes: (n: number) => ({ c: n }) }
    expect(check(counter, options({})).skippedTransitions).toBeUndefined()
    expect(check(plain, options({})).skippedTransitions).toBeGreaterThan(0)
  })
})
