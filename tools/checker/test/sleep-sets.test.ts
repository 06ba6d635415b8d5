import { always, alwaysStep, fingerprint, send, setTimer, sometimes, step } from "@parley/core"
import type { Actor, Client, GhostHistory, NetworkSemantics, SystemSpec, SystemState } from "@parley/core"
import { describe, expect, it } from "vitest"
import { buildTrace, check, replay, systemModel, validateCheckOptions } from "../src/index.ts"
import type { CheckOptions, CheckResult } from "../src/index.ts"

/**
 * Three nodes that each, on a timer, greet the others once, and note whom
 * they heard from; a client that asks one node whom it heard. Enough
 * independent steps (three timers, six greetings) for sleep sets to skip
 * many, and every kind of step an actor system has.
 */
interface Greeter {
  readonly greeted: boolean
  readonly heard: ReadonlyArray<string>
}
type Sys = SystemState<Greeter, "hello", "tick", "who", number, ReadonlyArray<string>, number | null, never>

/** Greets every other node on its one timer; notes whom it heard from, which survives a crash. */
const greeterOf = (ids: ReadonlyArray<string>, self: string): Actor<Greeter, "hello", "tick", "who", number, ReadonlyArray<string>> => ({
  init: () => step({ greeted: false, heard: [] }, [setTimer("tick")]),
  onTimer: (state) => state.greeted ? step(state) : step({ ...state, greeted: true }, ids.filter((to) => to !== self).map((to) => send(to, "hello" as const))),
  onMessage: (state, from) => step({ ...state, heard: [...new Set([...state.heard, from])].sort() }),
  onRequest: (state, client) => step(state, [{ _tag: "Reply", client, response: state.heard.length }]),
  durable: (state) => state.heard,
  recover: (_ctx, heard) => step({ greeted: true, heard })
})

/** Asks node `to` once whom it heard from. */
const askerOf = (to: string): Client<number | null, "who", number> => ({
  init: () => ({ state: null, out: [{ _tag: "Request", to, request: "who" }] }),
  onResponse: (_state, _from, count) => ({ state: count, out: [] }),
  onTimer: (state) => ({ state, out: [] })
})

/** A ghost kept as a set commutes; one kept in the order nodes stepped does not. */
const ghostOf = (kind: "set" | "order"): GhostHistory<Greeter, ReadonlyArray<string>> => ({
  init: [],
  observe: (ghost, node, _before, after) => {
    if (!after.greeted || ghost.includes(node)) return ghost
    return kind === "set" ? [...ghost, node].sort() : [...ghost, node]
  }
})

interface Setup {
  readonly network: NetworkSemantics
  readonly lossy?: boolean
  readonly maxCrashes?: number
  readonly ghost?: "set" | "order"
  readonly clients?: number
  /** At most this many messages in flight: a boundary that two commuting steps may cross in one order and not the other. */
  readonly inFlight?: number
  /** Inside only while n1 has not heard from n2 before n3 greeted: a boundary a delivery may leave where, after n3's timer, it would not. */
  readonly heardAfterGreeting?: boolean
}

const build = (setup: Setup, seen?: { states: Set<string>; steps: Set<string> }) => {
  const ids = ["n1", "n2", "n3"]
  const spec: SystemSpec<Greeter, "hello", "tick", "who", number, ReadonlyArray<string>, number | null, never, ReadonlyArray<string>> = {
    nodes: ids.map((id) => ({ id, actor: greeterOf(ids, id) })),
    clients: ["n2", "n3"].slice(0, setup.clients ?? 0).map((to) => ({ id: `asks-${to}`, client: askerOf(to) })),
    network: setup.network,
    lossy: setup.lossy ?? false,
    maxCrashes: setup.maxCrashes ?? 0,
    ...(setup.ghost === undefined ? {} : { ghost: ghostOf(setup.ghost) }),
    properties: [
      always<Sys>("Seen", (s) => (seen?.states.add(String(fingerprint(s))), true)),
      sometimes<Sys>("AllHeardAll", (s) => s.nodes.every((n) => n.up && n.state.heard.length === 3))
    ],
    transitions: [alwaysStep<Sys>("StepSeen", (before, after) => (seen?.steps.add(`${fingerprint(before)} ${fingerprint(after)}`), true))],
    within: (s: Sys) => (setup.inFlight === undefined || countInFlight(s) <= setup.inFlight) && (setup.heardAfterGreeting !== true || !heardBeforeGreeting(s)),
    formatMessage: String,
    formatTimer: String,
    formatRequest: String,
    formatResponse: String
  }
  return systemModel(spec)
}

const heardBeforeGreeting = (s: Sys): boolean => {
  const [n1, , n3] = s.nodes
  return n1!.up && n1!.state.heard.includes("n2") && n3!.up && !n3!.state.greeted
}

const countInFlight = (s: Sys): number => Array.isArray(s.network) ? s.network.length : Object.values(s.network).reduce((n, queue) => n + queue.length, 0)

const explored = (setup: Setup, partialOrder: boolean) => {
  const seen = { states: new Set<string>(), steps: new Set<string>() }
  const result: CheckResult = check(build(setup, seen), { strategy: "bfs", partialOrder })
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
    const model = build(setup)
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

  it("is refused with liveness or another strategy than bfs, and does nothing to a model that declares no commuting steps", () => {
    const options = (more: Partial<CheckOptions>): CheckOptions => ({ strategy: "bfs", partialOrder: true, ...more })
    expect(validateCheckOptions(options({ liveness: true }))).toEqual([
      "partialOrder goes with strategy bfs, without liveness: sleep sets prune steps, which a cycle search and a walk need"
    ])
    expect(validateCheckOptions(options({ strategy: "dfs" }))).toHaveLength(1)
    expect(validateCheckOptions(options({}))).toEqual([])
    const plain = { ...build({ network: "unordered" }) }
    const counter = { init: () => [0], actions: () => ["inc"], next: (n: number) => (n < 3 ? n + 1 : undefined), properties: [], describe: () => ({ _tag: "Local" as const, node: "c", label: "inc" }), lanes: (n: number) => ({ c: n }) }
    expect(check(counter, options({})).skippedTransitions).toBeUndefined()
    expect(check(plain, options({})).skippedTransitions).toBeGreaterThan(0)
  })
})
