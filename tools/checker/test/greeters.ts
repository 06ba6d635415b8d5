import { always, alwaysStep, fingerprint, send, setTimer, sometimes, step } from "@parley/core"
import type { Actor, Client, GhostHistory, NetworkSemantics, SystemSpec, SystemState } from "@parley/core"
import { systemModel } from "../src/index.ts"

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
export type Sys = SystemState<Greeter, "hello", "tick", "who", number, ReadonlyArray<string>, number | null, never>

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

export interface Setup {
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

/** The greeters as a model; `seen`, when given, gathers the fingerprint of every state checked and of every step. A module of its own so a worker thread can load it (see `ModelSource`). */
export const greeters = (setup: Setup, seen?: { states: Set<string>; steps: Set<string> }) => {
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

