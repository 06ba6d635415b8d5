import { inFlight } from "@parley/core/model"
import type { Envelope, NetworkState, SystemState } from "@parley/core/model"
import type { EncodedSteps } from "./encoded-steps.ts"
import type { Slot } from "./network.ts"
import type { SystemAction, SystemSteps } from "./system-steps.ts"
import { GhostSteps } from "./ghost-steps.ts"
import { PENDING, SystemStore } from "./system-store.ts"
import { PairMap } from "./tuple-table.ts"

/**
 * An event's code: a delivery's is four times its envelope's id, a timer's
 * four times its index plus `TIMER`, and a restart and a crash have theirs.
 */
export const TIMER = 1
export const RESTART = 2
const CRASH = 3

/** What a client's step did: its new slot, what it sent, and the history after it. */
interface ClientEffect {
  readonly slot: number
  readonly sent: number
  readonly history: number
}

type State<S, M, T, Req, Res, D, CS, CT> = SystemState<S, M, T, Req, Res, D, CS, CT>

/**
 * `SystemSteps` over states kept as words (see `SystemStore`), remembering
 * what each step did to the parts it touched. A node's step depends only on
 * its slot and the message or timer, so it is computed once per (slot,
 * event) however many states share them, by `SystemSteps` itself on a
 * state holding just that message; a client's step depends on the history
 * too, and the ghost history's update depends on the ghost and the node's
 * step (see `GhostSteps`). What remains per step is putting words together,
 * and one lookup of the network it leaves (see `NetworkIds`).
 *
 * The spec's handlers are pure, which is what makes this sound; the states
 * it builds are equal, as plain data, to what `SystemSteps` builds.
 */
export class CachedSteps<S, M, T, Req, Res, D, CS, CT> implements EncodedSteps<State<S, M, T, Req, Res, D, CS, CT>, SystemAction> {
  readonly store: SystemStore<S, M, T, Req, Res, D, CS, CT>
  /** Where `next` has a step write its words. */
  private readonly scratch: Uint32Array
  /** Per node, (slot, event code) to the index of what the step did: the new slot and the list sent, in `effectSlots` and `effectSent`. */
  private readonly nodeEffects: ReadonlyArray<PairMap>
  private readonly effectSlots: Array<number> = []
  private readonly effectSent: Array<number> = []
  private readonly clientEffects: ReadonlyArray<Map<string, ClientEffect>>
  /** The ghost history's updates; undefined in a system without one. */
  private readonly ghostSteps: GhostSteps<S, T, D> | undefined
  /** The actions on a slot, made once: the same slot in every network gets the same action objects. */
  private readonly deliveries = new Map<Slot, SystemAction>()
  private readonly drops = new Map<Slot, SystemAction>()
  /** Lists of envelopes sent in one step, by id; 0 is the empty one. */
  private readonly sentLists: Array<ReadonlyArray<number>> = [[]]
  private readonly sentIds = new Map<string, number>([["", 0]])
  /** Per envelope, a network holding it alone and its slot there: where a message is delivered to find out what a step does. */
  private readonly alone: Array<{ readonly network: NetworkState<Envelope<M, Req, Res>>; readonly slot: Slot } | undefined> = []
  private readonly targets: Array<number> = []
  private readonly nodeTimers: Array<Array<SystemAction>>
  private readonly clientTimers: Array<Array<SystemAction>>
  private readonly crashes: ReadonlyArray<SystemAction>
  private readonly restarts: ReadonlyArray<SystemAction>
  private readonly crashable: ReadonlyArray<boolean>
  private readonly nodeIndex: ReadonlyMap<string, number>
  private readonly clientIndex: ReadonlyMap<string, number>

  constructor(private readonly steps: SystemSteps<S, M, T, Req, Res, D, CS, CT>) {
    const { nodeIds, clientIds, spec } = steps
    this.store = new SystemStore(nodeIds, clientIds, spec.network, spec.ghost !== undefined)
    this.scratch = new Uint32Array(this.store.width)
    this.ghostSteps = spec.ghost === undefined ? undefined : new GhostSteps(spec.ghost, this.store.ghosts, this.store.slots, nodeIds)
    this.nodeEffects = nodeIds.map(() => new PairMap())
    this.clientEffects = clientIds.map(() => new Map())
    this.nodeTimers = nodeIds.map(() => [])
    this.clientTimers = clientIds.map(() => [])
    this.crashes = nodeIds.map((_, node) => ({ _tag: "Crash", node }))
    this.restarts = nodeIds.map((_, node) => ({ _tag: "Restart", node }))
    const crashable = new Set(spec.crashable ?? nodeIds)
    this.crashable = nodeIds.map((id) => crashable.has(id))
    this.nodeIndex = new Map(nodeIds.map((id, index) => [id, index]))
    this.clientIndex = new Map(clientIds.map((id, index) => [id, index]))
  }

  /** The initial state, built of the store's shared values like every other. */
  initialState(): State<S, M, T, Req, Res, D, CS, CT> {
    return this.store.live(this.store.wordsOf(this.steps.initialState()))
  }

  /** `SystemSteps.actions`, in the same order. */
  actions(state: State<S, M, T, Req, Res, D, CS, CT>): ReadonlyArray<SystemAction> {
    const { store } = this
    const words = store.wordsOf(state)
    const slots = store.network.slots(words[store.networkAt]!)
    const enabled: Array<SystemAction> = []
    for (const slot of slots) enabled.push(slotAction(this.deliveries, slot, "Deliver"))
    if (this.steps.spec.lossy) for (const slot of slots) enabled.push(slotAction(this.drops, slot, "Drop"))
    for (let i = 0; i < store.nodeCount; i++) {
      const slot = store.slots.values[words[i]!]!
      if (slot.up) for (let t = 0; t < slot.timers.length; t++) enabled.push(timerAction(this.nodeTimers[i]!, t, (timer) => ({ _tag: "NodeTimer", node: i, timer })))
    }
    for (let j = 0; j < store.clientCount; j++) {
      const timers = store.clientSlots.values[words[store.nodeCount + j]!]!.timers
      for (let t = 0; t < timers.length; t++) enabled.push(timerAction(this.clientTimers[j]!, t, (timer) => ({ _tag: "ClientTimer", client: j, timer })))
    }
    const crashBudgetLeft = words[store.crashesAt]! < this.steps.spec.maxCrashes
    for (let i = 0; i < store.nodeCount; i++) {
      if (crashBudgetLeft && this.crashable[i] === true && store.slots.values[words[i]!]!.up) enabled.push(this.crashes[i]!)
    }
    for (let i = 0; i < store.nodeCount; i++) if (!store.slots.values[words[i]!]!.up) enabled.push(this.restarts[i]!)
    return enabled
  }

  /** `SystemSteps.next`: the state after `action`, or undefined when it changes nothing. */
  next(state: State<S, M, T, Req, Res, D, CS, CT>, action: SystemAction): State<S, M, T, Req, Res, D, CS, CT> | undefined {
    if (!this.nextInto(state, action, this.scratch)) return undefined
    this.store.commit(this.scratch)
    return this.store.liveOfStep(this.scratch)
  }

  /**
   * The words of the state after `action` written in `out`; false when it
   * changes nothing. The network word may be `PENDING`: the network is the
   * store's pending one until the next step (see `SystemStore.commit`).
   */
  nextInto(state: State<S, M, T, Req, Res, D, CS, CT>, action: SystemAction, out: Uint32Array): boolean {
    const { store } = this
    const words = store.wordsOf(state)
    switch (action._tag) {
      case "Deliver":
        return this.deliver(words, action, out)
      case "Drop":
        return this.with(words, out, this.moved(words[store.networkAt]!, this.slotIndex(words, action), 0))
      case "NodeTimer":
        return this.nodeStep(words, action.node, action.timer * 4 + TIMER, action, -1, out)
      case "ClientTimer":
        return this.clientStep(words, action.client, action.timer * 4 + TIMER, action, -1, out)
      case "Crash": {
        if (!store.slots.values[words[action.node]!]!.up || words[store.crashesAt]! >= this.steps.spec.maxCrashes || this.crashable[action.node] !== true) return false
        if (!this.nodeStep(words, action.node, CRASH, action, -1, out)) return false
        out[store.crashesAt] = words[store.crashesAt]! + 1
        return true
      }
      case "Restart":
        if (store.slots.values[words[action.node]!]!.up) return false
        return this.nodeStep(words, action.node, RESTART, action, -1, out)
    }
  }

  /** The live state of words `nextInto` wrote. */
  live(words: Uint32Array): State<S, M, T, Req, Res, D, CS, CT> {
    return this.store.liveOfStep(words)
  }

  /** Gives the parts of words `nextInto` wrote their ids, so that they can be kept. */
  commit(words: Uint32Array): void {
    this.store.commit(words)
  }

  /**
   * The id of ghost history `ghostId` once it has observed node `node`'s
   * step on event `code` from its slot in `words`: what the step does to
   * another ghost than its own state's, for telling whether two steps
   * commute (see `system-independence.ts`). -1 when the step was never
   * taken, or the system keeps no ghost.
   */
  ghostAfter(words: ReadonlyArray<number>, node: number, code: number, ghostId: number): number {
    const slot = words[node]!
    const effect = this.nodeEffects[node]!.get(slot, code)
    if (effect < 0 || this.ghostSteps === undefined) return -1
    return this.ghostSteps.observed(ghostId, node, slot, this.effectSlots[effect]!, effect)
  }

  private deliver(words: ReadonlyArray<number>, action: Extract<SystemAction, { _tag: "Deliver" }>, out: Uint32Array): boolean {
    const { store } = this
    const index = this.slotIndex(words, action)
    const network = words[store.networkAt]!
    const envelope = store.network.head(network, index)
    const removed = store.network.deliveryRemoves ? index : -1
    const target = this.targetOf(envelope)
    if (store.envelopes.values[envelope]!.kind === "response") return this.clientStep(words, target, envelope * 4, undefined, removed, out)
    if (!store.slots.values[words[target]!]!.up) return removed >= 0 && this.with(words, out, this.moved(network, removed, 0))
    return this.nodeStep(words, target, envelope * 4, undefined, removed, out)
  }

  /** Node `node`'s step on event `code` (`action`, or the delivery of the envelope the code names, taken from slot `removed`, or -1), into `out`. */
  private nodeStep(
    words: ReadonlyArray<number>,
    node: number,
    code: number,
    action: SystemAction | undefined,
    removed: number,
    out: Uint32Array
  ): boolean {
    const slot = words[node]!
    const cache = this.nodeEffects[node]!
    let effect = cache.get(slot, code)
    if (effect < 0) {
      const after = this.stepAlone(words, code, action)
      if (after === undefined) return false
      effect = this.effectSlots.length
      this.effectSlots.push(this.store.slots.intern(after.state.nodes[node]!))
      this.effectSent.push(this.sentOf(after))
      cache.set(slot, code, effect)
    }
    const { store, ghostSteps } = this
    copyWords(words, out)
    out[node] = this.effectSlots[effect]!
    out[store.networkAt] = this.moved(words[store.networkAt]!, removed, this.effectSent[effect]!)
    // As in `SystemSteps`, a crash is no step of the node's reducer: the ghost does not observe it.
    if (ghostSteps !== undefined && code !== CRASH) out[store.ghostAt] = ghostSteps.observed(words[store.ghostAt]!, node, slot, out[node]!, effect)
    return true
  }

  /** Client `client`'s step on event `code`, which reads and may extend the history, into `out`. */
  private clientStep(
    words: ReadonlyArray<number>,
    client: number,
    code: number,
    action: SystemAction | undefined,
    removed: number,
    out: Uint32Array
  ): boolean {
    const { store } = this
    const at = store.nodeCount + client
    const key = `${code} ${words[at]} ${words[store.historyAt]}`
    const cache = this.clientEffects[client]!
    let effect = cache.get(key)
    if (effect === undefined) {
      const after = this.stepAlone(words, code, action)
      if (after === undefined) return false
      effect = { slot: store.clientSlots.intern(after.state.clients[client]!), sent: this.sentOf(after), history: store.histories.intern(after.state.history) }
      cache.set(key, effect)
    }
    copyWords(words, out)
    out[at] = effect.slot
    out[store.historyAt] = effect.history
    out[store.networkAt] = this.moved(words[store.networkAt]!, removed, effect.sent)
    return true
  }

  /**
   * What `SystemSteps` makes of event `code` on the state of `words` with
   * nothing in flight but the message delivered: every envelope in flight
   * after it is one the step sent (the delivered one, which a duplicating
   * network keeps, aside).
   */
  private stepAlone(words: ReadonlyArray<number>, code: number, action: SystemAction | undefined) {
    const { store, steps } = this
    const delivered = action === undefined ? this.aloneOf(code >>> 2) : undefined
    const state: State<S, M, T, Req, Res, D, CS, CT> = {
      ...store.live(words),
      network: delivered?.network ?? steps.network.empty,
      crashes: 0
    }
    const after = steps.next(state, action ?? { _tag: "Deliver", slot: delivered!.slot })
    return after === undefined ? undefined : { state: after, delivered: action === undefined ? store.envelopes.values[code >>> 2] : undefined }
  }

  private sentOf(after: { readonly state: State<S, M, T, Req, Res, D, CS, CT>; readonly delivered: Envelope<M, Req, Res> | undefined }): number {
    const ids: Array<number> = []
    for (const envelope of inFlight(after.state.network)) if (envelope !== after.delivered) ids.push(this.store.envelopes.intern(envelope))
    const key = ids.join(",")
    let id = this.sentIds.get(key)
    if (id === undefined) {
      id = this.sentLists.length
      this.sentLists.push(ids)
      this.sentIds.set(key, id)
    }
    return id
  }

  /**
   * The network word after a step took the message in slot `removed` (none
   * when -1) and sent list `sent`: the same network's, or `PENDING` for the
   * store's pending one. Not cached: nearly every step makes a network no
   * step made before, and a cache as large as the networks costs more in
   * memory traffic than the few integer operations it saves.
   */
  private moved(network: number, removed: number, sent: number): number {
    if (sent === 0 && removed < 0) return network
    this.store.network.pend(network, removed, this.sentLists[sent]!)
    return PENDING
  }

  /** The index of the node or client an envelope goes to. */
  private targetOf(envelope: number): number {
    let target = this.targets[envelope]
    if (target === undefined) {
      const { kind, to } = this.store.envelopes.values[envelope]!
      target = (kind === "response" ? this.clientIndex : this.nodeIndex).get(to)!
      this.targets[envelope] = target
    }
    return target
  }

  private aloneOf(envelope: number) {
    let alone = this.alone[envelope]
    if (alone === undefined) {
      const network = this.steps.network.send(this.steps.network.empty, [this.store.envelopes.values[envelope]!])
      alone = { network, slot: this.steps.network.slots(network)[0]! }
      this.alone[envelope] = alone
    }
    return alone
  }

  private slotIndex(words: ReadonlyArray<number>, action: Extract<SystemAction, { _tag: "Deliver" | "Drop" }>): number {
    const index = this.store.network.slots(words[this.store.networkAt]!).indexOf(action.slot)
    if (index < 0) throw new RangeError(`no in-flight message in slot ${String(action.slot)}`)
    return index
  }

  /** The words of `words` with the network's replaced, into `out`. */
  private with(words: ReadonlyArray<number>, out: Uint32Array, network: number): boolean {
    copyWords(words, out)
    out[this.store.networkAt] = network
    return true
  }
}

const copyWords = (words: ReadonlyArray<number>, out: Uint32Array): void => {
  for (let i = 0; i < words.length; i++) out[i] = words[i]!
}

/** The action on `slot`, made once. */
const slotAction = (actions: Map<Slot, SystemAction>, slot: Slot, tag: "Deliver" | "Drop"): SystemAction => {
  const made = actions.get(slot)
  if (made !== undefined) return made
  const action: SystemAction = { _tag: tag, slot }
  actions.set(slot, action)
  return action
}

/** The action firing timer `t`, made once. */
const timerAction = (actions: Array<SystemAction>, t: number, make: (timer: number) => SystemAction): SystemAction =>
  actions[t] ?? (actions[t] = make(t))
