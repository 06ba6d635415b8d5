import { always, alwaysStep, sometimes } from "@parley/core"
import type { Model, StepEvent } from "@parley/core"
import { describe, expect, it } from "vitest"
import { buildTrace, check, replay } from "../src/index.ts"
import type { CheckOptions, Progress } from "../src/index.ts"

/** Two counters that each step may increment, up to `limit`: (limit + 1)² states, depth 2·limit. */
interface Counters {
  readonly x: number
  readonly y: number
}
type Increment = "x" | "y"

const counters = (limit: number, extra: Partial<Model<Counters, Increment>> = {}): Model<Counters, Increment> => ({
  init: () => [{ x: 0, y: 0 }],
  actions: () => ["x", "y"],
  next: (state, action) => state[action] >= limit ? undefined : { ...state, [action]: state[action] + 1 },
  properties: [],
  describe: (_, action): StepEvent => ({ _tag: "Local", node: action, label: `inc ${action}` }),
  lanes: (state) => ({ x: state.x, y: state.y }),
  ...extra
})

const bfs: CheckOptions = { strategy: "bfs" }
const dfs: CheckOptions = { strategy: "dfs" }

const stateAfter = <S, A>(model: Model<S, A>, path: Parameters<typeof replay>[1]): S => {
  const { initial, steps } = replay(model, path)
  return steps.at(-1)?.state ?? initial
}

describe("check", () => {
  it.each([bfs, dfs])("checks transition properties on every step, including steps into states already seen ($strategy)", (options) => {
    // "x never catches up with y from below in one step": first broken by the step (0,1) -> (1,1), a state
    // that (1,0) -> (1,1) may have stored first; the trace must still end with the offending step.
    const model = counters(3, { transitions: [alwaysStep("XNeverCatchesUp", (before, after) => !(before.x < before.y && after.x === after.y))] })
    const result = check(model, options)
    expect(result.violation?.property).toBe("XNeverCatchesUp")
    const { steps } = replay(model, result.violation!.path)
    const [before, after] = [steps.at(-2)?.state ?? { x: 0, y: 0 }, steps.at(-1)!.state]
    expect(before.x).toBeLessThan(before.y)
    expect(after.x).toBe(after.y)
    if (options.strategy === "bfs") expect(result.violation!.path.actionIndices).toEqual([1, 0])
  })

  it("a transition property that holds on every step leaves the search exhaustive", () => {
    const result = check(counters(3, { transitions: [alwaysStep("Grows", (before, after) => after.x + after.y === before.x + before.y + 1)] }), bfs)
    expect(result.result).toBe("ok")
    expect(result.distinctStates).toBe(16)
  })

  it.each([bfs, dfs])("explores every reachable state exactly once ($strategy)", (options) => {
    const result = check(counters(9), options)
    expect(result.result).toBe("ok")
    expect(result.distinctStates).toBe(100)
    // Every state but the initial one is generated once from each enabled predecessor.
    expect(result.generatedStates).toBe(1 + 2 * 9 * 10)
    if (options.strategy === "bfs") expect(result.maxDepth).toBe(18)
  })

  it("finds a shortest counterexample with BFS", () => {
    const model = counters(9, { properties: [always("SumBelowFive", (s: Counters) => s.x + s.y < 5)] })
    const result = check(model, bfs)
    expect(result.result).toBe("violation")
    expect(result.violation?.property).toBe("SumBelowFive")
    expect(result.violation?.path.actionIndices).toHaveLength(5)
    const last = stateAfter(model, result.violation!.path)
    expect(last.x + last.y).toBe(5)
  })

  it("finds a violation with DFS too, and its path replays to a violating state", () => {
    const model = counters(9, { properties: [always("XBelowSeven", (s: Counters) => s.x < 7)] })
    const result = check(model, dfs)
    expect(result.result).toBe("violation")
    expect(stateAfter(model, result.violation!.path).x).toBe(7)
  })

  it("checks the initial states", () => {
    const model = counters(3, { properties: [always("NeverZero", (s: Counters) => s.x + s.y > 0)] })
    const result = check(model, bfs)
    expect(result.violation?.path).toEqual({ initIndex: 0, actionIndices: [] })
  })

  it("reports a depth bound as bounded when it cut something off", () => {
    const cut = check(counters(9), { strategy: "bfs", maxDepth: 3 })
    expect(cut.result).toBe("bounded")
    expect(cut.distinctStates).toBe(1 + 2 + 3 + 4)
    expect(cut.maxDepth).toBe(3)
    expect(check(counters(2), { strategy: "bfs", maxDepth: 4 }).result).toBe("ok")
    // Cut off only beyond the boundary: nothing was hidden.
    const fenced = counters(9, { within: (s: Counters) => s.x + s.y <= 3 })
    expect(check(fenced, { strategy: "bfs", maxDepth: 3 }).result).toBe("ok")
  })

  it("with DFS under a depth bound, expands again a state first met deeper than it can be reached", () => {
    // 0 → 1 → 2 → 3 → 4, and a shortcut 0 → 5 → 3. DFS goes the long way first (it pops the last
    // successor pushed), meets 3 at depth 3 where the bound stops it, then meets 3 again at depth 2.
    const edges: Record<number, ReadonlyArray<number>> = { 0: [5, 1], 1: [2], 2: [3], 3: [4], 4: [], 5: [3] }
    const shortcut: Model<number, number> = {
      init: () => [0],
      actions: (s) => edges[s] ?? [],
      next: (_, to) => to,
      properties: [],
      describe: (_, to) => ({ _tag: "Local", node: "n", label: `to ${to}` }),
      lanes: (s) => ({ n: s })
    }
    expect(check(shortcut, { strategy: "bfs", maxDepth: 3 }).distinctStates).toBe(6)
    expect(check(shortcut, { strategy: "dfs", maxDepth: 3 }).distinctStates).toBe(6)
    for (const maxDepth of [1, 2, 3, 5, 8]) {
      expect(check(counters(4), { strategy: "dfs", maxDepth }).distinctStates)
        .toBe(check(counters(4), { strategy: "bfs", maxDepth }).distinctStates)
    }
  })

  it("stops at the state bound", () => {
    const result = check(counters(99), { strategy: "dfs", maxStates: 50 })
    expect(result.result).toBe("bounded")
    expect(result.distinctStates).toBe(50)
  })

  it("neither checks nor explores states outside the boundary", () => {
    const model = counters(9, {
      within: (s: Counters) => s.x <= 2,
      properties: [always("XAtMostTwo", (s: Counters) => s.x <= 2)]
    })
    const result = check(model, bfs)
    expect(result.result).toBe("ok")
    expect(result.distinctStates).toBe(3 * 10)
  })

  it("reports deadlocks only when asked, and not in terminal states", () => {
    expect(check(counters(2), bfs).result).toBe("ok")
    const deadlocked = check(counters(2), { strategy: "bfs", deadlock: true })
    expect(deadlocked.violation).toMatchObject({ property: "Deadlock", kind: "deadlock" })
    expect(stateAfter(counters(2), deadlocked.violation!.path)).toEqual({ x: 2, y: 2 })
    const terminal = counters(2, { terminal: (s: Counters) => s.x === 2 && s.y === 2 })
    expect(check(terminal, { strategy: "bfs", deadlock: true }).result).toBe("ok")
  })

  it("reports which sometimes properties were reached, with a witness path", () => {
    const model = counters(3, {
      properties: [
        sometimes("Corner", (s: Counters) => s.x === 3 && s.y === 3),
        sometimes("Beyond", (s: Counters) => s.x > 3)
      ]
    })
    const result = check(model, bfs)
    expect(result.unreached).toEqual(["Beyond"])
    expect(result.reached.map((r) => r.property)).toEqual(["Corner"])
    expect(stateAfter(model, result.reached[0]!.path)).toEqual({ x: 3, y: 3 })
  })

  it("counts states whose structure differs only in key order as one", () => {
    const model: Model<Record<string, number>, string> = {
      init: () => [{ a: 0, b: 0 }],
      actions: () => ["a", "b"],
      // Rebuilds the object in a different key order each time.
      next: (s, k) => (s[k]! >= 2 ? undefined : k === "a" ? { b: s.b!, a: s.a! + 1 } : { a: s.a!, b: s.b! + 1 }),
      properties: [],
      describe: (_, k) => ({ _tag: "Local", node: k, label: k }),
      lanes: (s) => s
    }
    expect(check(model, bfs).distinctStates).toBe(9)
  })

  it("reports progress while it runs", () => {
    const seen: Array<Progress> = []
    check(counters(300), { strategy: "bfs", progressIntervalMs: 0, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(10)
    const last = seen.at(-1)!
    expect(last.distinctStates).toBeGreaterThan(seen[0]!.distinctStates)
    expect(last.queued).toBeGreaterThan(0)
  })
})

describe("buildTrace", () => {
  it("replays the path into steps with each event and the lanes after it", () => {
    const model = counters(9, { properties: [always("SumBelowTwo", (s: Counters) => s.x + s.y < 2)] })
    const { violation } = check(model, bfs)
    const trace = buildTrace(model, {
      spec: "counters",
      config: { limit: 9 },
      property: { name: "SumBelowTwo", kind: "always" }
    }, violation!.path)
    expect(trace.format).toBe("parley-trace/1")
    expect(trace.initial).toEqual({ x: 0, y: 0 })
    expect(trace.steps).toHaveLength(2)
    expect(trace.steps[0]!.event).toEqual({ _tag: "Local", node: "x", label: "inc x" })
    expect(trace.steps[0]!.action).toBe("inc x")
    expect(trace.steps[1]!.lanes).toEqual({ x: 2, y: 0 })
  })

  it("refuses a path the model does not enable", () => {
    expect(() => replay(counters(1), { initIndex: 0, actionIndices: [0, 0] })).toThrow(/step 2: action #0 is not enabled/)
    expect(() => replay(counters(1), { initIndex: 3, actionIndices: [] })).toThrow(/no initial state #3/)
  })
})
