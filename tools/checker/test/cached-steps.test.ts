import { equals, reply, request, send, setTimer, step } from "@parley/core"
import type { Actor, Client, GhostHistory, Model, NetworkSemantics, SystemSpec, SystemState } from "@parley/core"
import { describe, expect, it } from "vitest"
import { check, replay, systemModel } from "../src/index.ts"
import { SystemSteps } from "../src/system-steps.ts"
import { SystemStore } from "../src/system-store.ts"
import type { SystemAction } from "../src/system-steps.ts"

/**
 * A gossip of counters: "a" and "b" each send their count to the other on
 * a timer and raise theirs to what they hear; a client asks either for its
 * count, retrying on a timer. Small, but with every kind of step: sends,
 * timers, replies, crashes and restarts, losses, and a history.
 */
type Msg = { readonly count: number }
interface Node {
  readonly count: number
  readonly sent: number
}

const gossip: Actor<Node, Msg, "tick", "read", number, number> = {
  init: () => step({ count: 0, sent: 0 }, [setTimer("tick")]),
  onMessage: (state, _from, message) => step({ ...state, count: Math.max(state.count, message.count) }),
  onTimer: (state) =>
    state.sent >= 1 ? step(state) : step({ count: state.count + 1, sent: state.sent + 1 }, [send(peerOf(state), { count: state.count + 1 }), setTimer("tick")]),
  onRequest: (state, client) => step(state, [reply(client, state.count)]),
  durable: (state) => state.count,
  recover: (_ctx, count) => step({ count, sent: 1 })
}

// Both nodes run the same actor; its state does not name the node, so the peer is told apart by what it sent.
const peerOf = (state: Node): string => (state.sent % 2 === 0 ? "b" : "a")

const reader: Client<{ readonly asked: number; readonly answer: number | null }, "read", number, "retry"> = {
  init: () => ({ state: { asked: 1, answer: null }, out: [request("a", "read"), { _tag: "SetTimer", timer: "retry" }] }),
  onResponse: (state, _from, answer) => ({ state: { ...state, answer }, out: [] }),
  onTimer: (state) => (state.asked >= 2 ? { state, out: [] } : { state: { ...state, asked: 2 }, out: [request("b", "read")] })
}

/** Every (node, count) ever held, sorted, and how many times a node started: what a crash wipes from the nodes but not from here. */
interface Seen {
  readonly counts: ReadonlyArray<string>
  readonly starts: number
}

const seen: GhostHistory<Node, Seen> = {
  init: { counts: [], starts: 0 },
  observe: (ghost, node, before, after) => {
    const held = `${node}=${after.count}`
    const counts = ghost.counts.includes(held) ? ghost.counts : [...ghost.counts, held].sort()
    const starts = before === undefined ? ghost.starts + 1 : ghost.starts
    return counts === ghost.counts && starts === ghost.starts ? ghost : { counts, starts }
  }
}

const spec = (
  network: NetworkSemantics,
  ghost?: GhostHistory<Node, Seen>
): SystemSpec<Node, Msg, "tick", "read", number, number, { readonly asked: number; readonly answer: number | null }, "retry", Seen> => ({
  ...(ghost === undefined ? {} : { ghost }),
  nodes: [{ id: "a", actor: gossip }, { id: "b", actor: gossip }],
  clients: [{ id: "c", client: reader }],
  network,
  // A duplicating network that also loses messages has some 400,000 states here: too many to compare without the cache.
  lossy: network !== "duplicating",
  maxCrashes: 1,
  properties: [],
  formatMessage: (m) => `count ${m.count}`,
  formatTimer: String,
  formatRequest: String,
  formatResponse: String
})

/** The same system straight through `SystemSteps`: live states, structural fingerprints, nothing cached. */
const uncached = <S, M, T, Req, Res, D, CS, CT>(steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>): Model<SystemState<S, M, T, Req, Res, D, CS, CT>, SystemAction> => ({
  init: () => [steps.initialState()],
  actions: (state) => steps.actions(state),
  next: (state, action) => steps.next(state, action),
  properties: [],
  describe: () => ({ _tag: "Crash", node: "none" }),
  lanes: () => ({})
})

describe("CachedSteps", () => {
  const networks = ["unordered", "duplicating", "ordered"] as const
  const cases = networks.flatMap((network) => [
    { network, ghost: undefined, kept: "without a ghost history" },
    { network, ghost: seen, kept: "with a ghost history" }
  ])

  it.each(cases)("explores a $network network $kept exactly as SystemSteps does", ({ network, ghost }) => {
    const cached = check(systemModel(spec(network, ghost)), { strategy: "bfs" })
    const plain = check(uncached(new SystemSteps(spec(network, ghost))), { strategy: "bfs" })
    expect(cached.result).toBe("ok")
    expect(cached.distinctStates).toBeGreaterThan(100)
    expect([cached.distinctStates, cached.generatedStates, cached.maxDepth]).toEqual([plain.distinctStates, plain.generatedStates, plain.maxDepth])
  })

  it.each(cases)("enables, on a $network network $kept, the actions SystemSteps enables, and steps to equal states", ({ network, ghost }) => {
    const model = systemModel(spec(network, ghost))
    const steps = new SystemSteps(spec(network, ghost))
    // A walk that takes a different kind of step at each depth, from states SystemSteps built.
    let state = steps.initialState()
    for (let depth = 0; depth < 12; depth++) {
      const actions = model.actions(state)
      expect(actions).toEqual(steps.actions(state))
      for (const action of actions) expect(equals(model.next(state, action), steps.next(state, action))).toBe(true)
      if (actions.length === 0) break
      const next = steps.next(state, actions[(3 * depth) % actions.length]!)
      if (next === undefined) break
      state = next
    }
  })

  it("finds a counterexample that replays, step by step, into the states SystemSteps builds", () => {
    const answered = { kind: "always" as const, name: "NeverAnswered", holds: (s: { readonly clients: ReadonlyArray<{ readonly state: { readonly answer: number | null } }> }) => s.clients[0]!.state.answer === null }
    const model = systemModel({ ...spec("ordered"), properties: [answered] })
    const result = check(model, { strategy: "bfs" })
    expect(result.violation?.property).toBe("NeverAnswered")
    const { initial, steps } = replay(model, result.violation!.path)
    const plain = new SystemSteps(spec("ordered"))
    let state = plain.initialState()
    expect(equals(initial, state)).toBe(true)
    for (const { action, state: replayed } of steps) {
      state = plain.next(state, action)!
      expect(equals(replayed, state)).toBe(true)
    }
    expect(answered.holds(state)).toBe(false)
  })

  it("is used only for states made of the parts the store keeps: another part is explored live", () => {
    const state = new SystemSteps(spec("ordered")).initialState()
    expect(SystemStore.keeps(state)).toBe(true)
    expect(SystemStore.keeps({ ...state, ghost: seen.init })).toBe(true)
    expect(SystemStore.keeps({ ...state, lamport: 0 })).toBe(false)
    expect(systemModel(spec("ordered")).codec?.threadLocal).toBe(true)
  })

  it("keeps a ghost history as one more word, so a system with one takes the fast path", () => {
    const plain = systemModel(spec("ordered"))
    const model = systemModel(spec("ordered", seen))
    expect(model.codec?.threadLocal).toBe(true)
    expect(model.codec?.words).toBe(plain.codec!.words + 1)
    const [initial] = model.init()
    expect(initial!.ghost).toEqual({ counts: ["a=0", "b=0"], starts: 2 })
    expect(plain.init()[0]).not.toHaveProperty("ghost")
  })

  it("finds a violation of a property of the ghost history, replaying into the states SystemSteps builds", () => {
    // A crash and a restart are seen only by the ghost: the restarted node's state looks like one that never stopped.
    const restarted = { kind: "always" as const, name: "NeverRestarted", holds: (s: { readonly ghost?: Seen }) => s.ghost!.starts < 3 }
    const withProperty: ReturnType<typeof spec> = { ...spec("ordered", seen), properties: [restarted] }
    const model = systemModel(withProperty)
    const result = check(model, { strategy: "bfs" })
    expect(result.violation?.property).toBe("NeverRestarted")
    const { steps } = replay(model, result.violation!.path)
    const plain = new SystemSteps(spec("ordered", seen))
    let state = plain.initialState()
    for (const { action, state: replayed } of steps) {
      state = plain.next(state, action)!
      expect(equals(replayed, state)).toBe(true)
    }
    expect(steps.map(({ action }) => action._tag).slice(-2)).toEqual(["Crash", "Restart"])
  })
})
