import { always, inFlight, reply, send, setTimer, sometimes, step } from "@parley/core"
import type { Actor, Client, NetworkSemantics, SystemSpec, SystemState } from "@parley/core"
import { describe, expect, it } from "vitest"
import { buildTrace, check, replay, systemModel } from "../src/index.ts"

/**
 * Node "a" sends m1 and m2 to "b" when it starts and sets timers t1 and t2;
 * "b" keeps the set of messages it received (sorted), which is also what
 * survives its crash. "a" records the order its timers fired in.
 */
type Msg = "m1" | "m2"
type Tick = "t1" | "t2"
interface NodeState {
  readonly received: ReadonlyArray<Msg>
  readonly fired: ReadonlyArray<Tick>
}

const node: Actor<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>> = {
  init: (ctx) =>
    ctx.self === "a"
      ? step({ received: [], fired: [] }, [send("b", "m1"), send("b", "m2"), setTimer("t1"), setTimer("t2")])
      : step({ received: [], fired: [] }),
  onMessage: (state, _from, message) =>
    step({ ...state, received: [...new Set([...state.received, message])].sort() }),
  onTimer: (state, timer) => step({ ...state, fired: [...state.fired, timer] }),
  onRequest: (state, client) => step(state, [{ _tag: "Reply", client, response: state.received.length }]),
  durable: (state) => state.received,
  recover: (_ctx, received) => step({ received, fired: [] })
}

type State = SystemState<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>, never, never>

type Options = Partial<Pick<SystemSpec<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>>, "lossy" | "maxCrashes" | "crashable" | "properties">>

const system = (network: NetworkSemantics, options: Options = {}) =>
  systemModel<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>, never, never>({
    nodes: [{ id: "a", actor: node }, { id: "b", actor: node }],
    clients: [],
    network,
    lossy: false,
    maxCrashes: 0,
    crashable: ["b"],
    properties: [],
    formatMessage: String,
    formatTimer: String,
    formatRequest: String,
    formatResponse: String,
    ...options
  })

/** The timers' firing orders ([], [t1], [t2], [t1,t2], [t2,t1]) times what the network can do. */
const TIMER_ORDERS = 5

describe("systemModel", () => {
  it.each([
    // Each message is in flight or received: 2².
    ["unordered", 4],
    // Both stay in flight forever; b has received any subset: 2².
    ["duplicating", 4],
    // m2 cannot overtake m1: nothing, m1, both.
    ["ordered", 3]
  ] as const)("explores a %s network exactly", (network, networkStates) => {
    const result = check(system(network), { strategy: "bfs" })
    expect(result.result).toBe("ok")
    expect(result.distinctStates).toBe(networkStates * TIMER_ORDERS)
  })

  it("checks a property on the network in every state, though it reads it only in some", () => {
    // Reads the network only once "a" fired both timers: the verdicts kept from the states before must not hide the violation.
    const oneLeftAfterBothTimers = always<State>("NotOneLeftAfterBothTimers", (s) => {
      const a = s.nodes[0]!
      return !a.up || a.state.fired.length < 2 || inFlight(s.network).length !== 1
    })
    const result = check(system("unordered", { properties: [oneLeftAfterBothTimers] }), { strategy: "bfs" })
    expect(result.result).toBe("violation")
    expect(result.violation?.property).toBe("NotOneLeftAfterBothTimers")
    expect(result.violation?.path.actionIndices.length).toBe(3)
  })

  it("checks a property on the network in every state, though most differ from one met before only there", () => {
    // The state after both timers with nothing received is met first with both messages in flight; only once both are lost does it break this.
    const notAllLost = always<State>("NotAllLost", (s) => {
      const [a, b] = s.nodes
      return !(a!.up && a!.state.fired.length === 2 && b!.up && b!.state.received.length === 0 && inFlight(s.network).length === 0)
    })
    const result = check(system("unordered", { lossy: true, properties: [notAllLost] }), { strategy: "bfs" })
    expect(result.result).toBe("violation")
    expect(result.violation?.property).toBe("NotAllLost")
    expect(result.violation?.path.actionIndices.length).toBe(4)
  })

  it("loses messages on a lossy network: each is in flight, received or lost", () => {
    expect(check(system("unordered", { lossy: true }), { strategy: "bfs" }).distinctStates).toBe(9 * TIMER_ORDERS)
    // Per link the head may be lost: nothing/m1 received/lost, then m2 likewise after m1 is gone.
    expect(check(system("ordered", { lossy: true }), { strategy: "bfs" }).distinctStates).toBe(7 * TIMER_ORDERS)
  })

  it("crashes within the budget, keeps only the durable state and loses messages sent to a down node", () => {
    // Before any crash: 4. With the one crash spent, b down or restarted, each message in flight, received or lost: 2·3².
    const result = check(system("unordered", { maxCrashes: 1 }), { strategy: "bfs" })
    expect(result.distinctStates).toBe((4 + 2 * 9) * TIMER_ORDERS)
  })

  it("drops a crashed node's timers and lets it restart", () => {
    type S = SystemState<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>, never, never>
    const restartedA = (s: S) => s.crashes === 1 && s.nodes[0]!.up
    const model = system("ordered", { maxCrashes: 1, crashable: ["a"] })
    const result = check({
      ...model,
      properties: [
        always<S>("RestartedWithoutTimers", (s) => {
          const a = s.nodes[0]!
          return !restartedA(s) || (a.up && a.timers.length === 0 && a.state.fired.length === 0)
        }),
        sometimes<S>("ARestarted", restartedA)
      ]
    }, { strategy: "bfs" })
    expect(result.result).toBe("ok")
    expect(result.unreached).toEqual([])
  })

  it("describes deliveries, timers, crashes and restarts for traces", () => {
    type S = SystemState<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>, never, never>
    const model = system("unordered", {
      maxCrashes: 1,
      properties: [always<S>("BNotRestartedWithM1", (s) => !(s.crashes === 1 && s.nodes[1]!.up && s.nodes[1]!.state.received.includes("m1")))]
    })
    const result = check(model, { strategy: "bfs" })
    expect(result.violation?.property).toBe("BNotRestartedWithM1")
    const trace = buildTrace(model, { spec: "test", config: {}, property: { name: "BNotRestartedWithM1", kind: "always" } }, result.violation!.path)
    expect(trace.steps.map((s) => s.event)).toEqual([
      { _tag: "Deliver", from: "a", to: "b", message: "m1" },
      { _tag: "Crash", node: "b" },
      { _tag: "Restart", node: "b" }
    ])
    expect(trace.steps[1]!.lanes["b"]).toEqual({ down: true, durable: ["m1"] })
    expect(trace.steps[2]!.lanes["b"]).toEqual({ received: ["m1"], fired: [] })
    // A lane lists the node's pending timers.
    expect(trace.initial["a"]).toEqual({ received: [], fired: [], timers: ["t1", "t2"] })
  })
})

describe("systemModel with clients", () => {
  /** A client that asks "b" once how many messages it has and remembers the answer. */
  const asker: Client<number | null, "get", number> = {
    init: () => ({ state: null, out: [{ _tag: "Request", to: "b", request: "get" }] }),
    onResponse: (_state, _from, count) => ({ state: count, out: [] }),
    onTimer: (state) => ({ state, out: [] })
  }

  const withClientSpec: SystemSpec<NodeState, Msg, Tick, "get", number, ReadonlyArray<Msg>, number | null, never> = {
    nodes: [{ id: "b", actor: node }],
    clients: [{ id: "c", client: asker }],
    network: "unordered",
    lossy: false,
    maxCrashes: 0,
    properties: [always("ClientNeverAnswered", (s) => s.clients[0]!.state === null)],
    formatMessage: String,
    formatTimer: String,
    formatRequest: (r) => `Get(${r})`,
    formatResponse: (r) => `Count(${r})`
  }
  const withClient = systemModel(withClientSpec)

  it("records each request as an invocation and each delivered response as a return", () => {
    const result = check(withClient, { strategy: "bfs" })
    expect(result.violation?.path.actionIndices).toHaveLength(2)
    const { steps } = replay(withClient, result.violation!.path)
    expect(steps.at(-1)!.state.history).toEqual([
      { _tag: "Invoke", client: "c", node: "b", request: "get" },
      { _tag: "Return", client: "c", node: "b", response: 0 }
    ])
    const trace = buildTrace(withClient, { spec: "t", config: {}, property: { name: "x", kind: "always" } }, result.violation!.path)
    expect(trace.steps[0]!.event).toEqual({ _tag: "Deliver", from: "c", to: "b", message: "Get(get)", sent: [{ to: "c", message: "Count(0)" }] })
    expect(trace.steps[1]!.lanes["c"]).toBe(0)
  })

  it("records a response a duplicating network delivers again as no new return", () => {
    const duplicating = systemModel({ ...withClientSpec, network: "duplicating", properties: [] })
    // Request sent; answered; answer received. Redeliveries change nothing, so the history stays finite.
    expect(check(duplicating, { strategy: "bfs" }).distinctStates).toBe(3)
  })

  it("records a redirected operation once: one invocation, and a return only for the response that completes it", () => {
    /** "front" redirects every request to "back", which answers it. */
    const server: Actor<null, never, never, "get", "redirect" | "done", null> = {
      init: () => step(null),
      onMessage: (s) => step(s),
      onTimer: (s) => step(s),
      onRequest: (s, client) => step(s, [reply(client, "done")]),
      durable: () => null,
      recover: () => step(null)
    }
    const front: typeof server = { ...server, onRequest: (s, client) => step(s, [reply(client, "redirect")]) }
    const redirected: Client<"waiting" | "done", "get", "redirect" | "done"> = {
      init: () => ({ state: "waiting", out: [{ _tag: "Request", to: "front", request: "get" }] }),
      onResponse: (state, _from, response) =>
        response === "redirect" ? { state, out: [{ _tag: "Request", to: "back", request: "get" }] } : { state: "done", out: [] },
      onTimer: (state) => ({ state, out: [] }),
      completes: (_state, response) => response !== "redirect"
    }
    const model = systemModel({
      nodes: [{ id: "front", actor: front }, { id: "back", actor: server }],
      clients: [{ id: "c", client: redirected }],
      network: "unordered",
      lossy: false,
      maxCrashes: 0,
      properties: [always("NotDone", (s: { readonly clients: ReadonlyArray<{ readonly state: string }> }) => s.clients[0]!.state !== "done")],
      formatMessage: String,
      formatTimer: String,
      formatRequest: String,
      formatResponse: String
    })
    const result = check(model, { strategy: "bfs" })
    expect(result.violation?.path.actionIndices).toHaveLength(4)
    expect(replay(model, result.violation!.path).steps.at(-1)!.state.history).toEqual([
      { _tag: "Invoke", client: "c", node: "front", request: "get" },
      { _tag: "Return", client: "c", node: "back", response: "done" }
    ])
  })

  it("refuses a send to an undeclared node, naming it", () => {
    const stray: Actor<null, string, never, never, never, null> = {
      init: () => step(null, [send("nowhere", "hi")]),
      onMessage: (s) => step(s),
      onTimer: (s) => step(s),
      onRequest: (s) => step(s),
      durable: () => null,
      recover: () => step(null)
    }
    const model = systemModel({
      nodes: [{ id: "x", actor: stray }],
      clients: [],
      network: "unordered",
      lossy: false,
      maxCrashes: 0,
      properties: [],
      formatMessage: String,
      formatTimer: String,
      formatRequest: String,
      formatResponse: String
    })
    expect(() => model.init()).toThrow(/x sent to unknown node "nowhere"/)
  })
})
