import { inFlight } from "@parley/core/model"
import type { Envelope, NetworkState, SystemState } from "@parley/core/model"
import type { Slot } from "./network.ts"
import type { SystemAction, SystemSteps } from "./system-steps.ts"
import { SystemStore } from "./system-store.ts"

/** 2^32: a cache key is an event's code times this plus a slot's id. */
const SLOT_RANGE = 0x100000000
/** Codes of events that are not deliveries (see `eventCode`); a delivery's code is four times its envelope's id. */
const TIMER = 1
const RESTART = 2
const CRASH = 3
/** Events whose code would not fit a safe-integer key are stepped each time rather than cached. */
const MAX_CODE = 0x200000

/** What a node's step did: the node's new slot and what it sent, by id. */
interface NodeEffect {
  readonly slot: number
  readonly sent: number
}

/** What a client's step did: its new slot, what it sent, and the history after it. */
interface ClientEffect {
  readonly slot: number
  readonly sent: number
  readonly history: number
}

/** What the checker may do with one network: its slots, each slot's actions, and, once asked, each message and the network after it. */
interface NetworkInfo {
  readonly slots: ReadonlyArray<Slot>
  readonly deliveries: ReadonlyArray<SystemAction>
  readonly drops: ReadonlyArray<SystemAction>
  /** Per slot, the id of the envelope at its head, and of the network once it is delivered or dropped; -1 until asked. */
  readonly heads: Array<number>
  readonly delivered: Array<number>
  readonly dropped: Array<number>
}

type State<S, M, T, Req, Res, D, CS, CT> = SystemState<S, M, T, Req, Res, D, CS, CT>

/**
 * `SystemSteps` over states kept as words (see `SystemStore`), remembering
 * what each step did to the parts it touched. A node's step depends only on
 * its slot and the message or timer, so it is computed once per (slot,
 * event) however many states share them, by `SystemSteps` itself on a
 * state holding just that message; a client's step depends on the history
 * too. What remains per step is putting words together: the network after
 * a delivery and after a send are remembered per network as well.
 *
 * The spec's handlers are pure, which is what makes this sound; the states
 * it builds are equal, as plain data, to what `SystemSteps` builds.
 */
export class CachedSteps<S, M, T, Req, Res, D, CS, CT> {
  readonly store: SystemStore<S, M, T, Req, Res, D, CS, CT>
  private readonly nodeEffects: ReadonlyArray<Map<number, NodeEffect>>
  private readonly clientEffects: ReadonlyArray<Map<string, ClientEffect>>
  private readonly networkInfo: Array<NetworkInfo | undefined> = []
  /** Lists of envelopes sent in one step, by id; 0 is the empty one. */
  private readonly sentLists: Array<ReadonlyArray<number>> = [[]]
  private readonly sentIds = new Map<string, number>([["", 0]])
  /** The network after a list is sent, keyed by list id times 2^32 plus the network's id. */
  private readonly afterSend = new Map<number, number>()
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
    this.store = new SystemStore(nodeIds.length, clientIds.length)
    this.nodeEffects = nodeIds.map(() => new Map())
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
    const network = this.infoOf(words[store.networkAt]!)
    const enabled: Array<SystemAction> = network.deliveries.slice()
    if (this.steps.spec.lossy) for (const drop of network.drops) enabled.push(drop)
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
    const words = this.store.wordsOf(state)
    switch (action._tag) {
      case "Deliver":
        return this.deliver(words, action)
      case "Drop": {
        const { info, index } = this.slotOf(words, action)
        return this.with(words, this.store.networkAt, this.droppedFrom(info, words[this.store.networkAt]!, index))
      }
      case "NodeTimer":
        return this.nodeStep(words, action.node, action.timer * 4 + TIMER, action, words[this.store.networkAt]!)
      case "ClientTimer":
        return this.clientStep(words, action.client, action.timer * 4 + TIMER, action, words[this.store.networkAt]!)
      case "Crash": {
        if (!this.store.slots.values[words[action.node]!]!.up || words[this.store.crashesAt]! >= this.steps.spec.maxCrashes || this.crashable[action.node] !== true) return undefined
        const after = this.nodeStep(words, action.node, CRASH, action, words[this.store.networkAt]!)
        return after === undefined ? undefined : this.with(this.store.wordsOf(after), this.store.crashesAt, words[this.store.crashesAt]! + 1)
      }
      case "Restart":
        if (this.store.slots.values[words[action.node]!]!.up) return undefined
        return this.nodeStep(words, action.node, RESTART, action, words[this.store.networkAt]!)
    }
  }

  private deliver(words: ReadonlyArray<number>, action: Extract<SystemAction, { _tag: "Deliver" }>): State<S, M, T, Req, Res, D, CS, CT> | undefined {
    const { store } = this
    const { info, index } = this.slotOf(words, action)
    const networkId = words[store.networkAt]!
    const envelope = this.headOf(info, networkId, index)
    const remaining = this.deliveredFrom(info, networkId, index)
    const target = this.targets[envelope]!
    if (store.envelopes.values[envelope]!.kind === "response") return this.clientStep(words, target, envelope * 4, undefined, remaining)
    if (!store.slots.values[words[target]!]!.up) return remaining === networkId ? undefined : this.with(words, store.networkAt, remaining)
    return this.nodeStep(words, target, envelope * 4, undefined, remaining)
  }

  /** Node `node`'s step on event `code` (`action`, or the delivery of the envelope the code names), with `network` the network before its sends. */
  private nodeStep(
    words: ReadonlyArray<number>,
    node: number,
    code: number,
    action: SystemAction | undefined,
    network: number
  ): State<S, M, T, Req, Res, D, CS, CT> | undefined {
    const slot = words[node]!
    const key = code * SLOT_RANGE + slot
    const cache = this.nodeEffects[node]!
    let effect = code < MAX_CODE ? cache.get(key) : undefined
    if (effect === undefined) {
      const after = this.stepAlone(words, code, action)
      if (after === undefined) return undefined
      effect = { slot: this.store.slots.intern(after.state.nodes[node]!), sent: this.sentOf(after) }
      if (code < MAX_CODE) cache.set(key, effect)
    }
    const next = words.slice()
    next[node] = effect.slot
    next[this.store.networkAt] = this.sendInto(network, effect.sent)
    return this.store.live(next)
  }

  /** Client `client`'s step on event `code`, which reads and may extend the history. */
  private clientStep(
    words: ReadonlyArray<number>,
    client: number,
    code: number,
    action: SystemAction | undefined,
    network: number
  ): State<S, M, T, Req, Res, D, CS, CT> | undefined {
    const { store } = this
    const at = store.nodeCount + client
    const key = `${code} ${words[at]} ${words[store.historyAt]}`
    const cache = this.clientEffects[client]!
    let effect = cache.get(key)
    if (effect === undefined) {
      const after = this.stepAlone(words, code, action)
      if (after === undefined) return undefined
      effect = { slot: store.clientSlots.intern(after.state.clients[client]!), sent: this.sentOf(after), history: store.histories.intern(after.state.history) }
      cache.set(key, effect)
    }
    const next = words.slice()
    next[at] = effect.slot
    next[store.historyAt] = effect.history
    next[store.networkAt] = this.sendInto(network, effect.sent)
    return store.live(next)
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
    for (const envelope of inFlight(after.state.network)) if (envelope !== after.delivered) ids.push(this.envelopeId(envelope))
    const key = ids.join(",")
    let id = this.sentIds.get(key)
    if (id === undefined) {
      id = this.sentLists.length
      this.sentLists.push(ids)
      this.sentIds.set(key, id)
    }
    return id
  }

  private sendInto(network: number, sent: number): number {
    if (sent === 0) return network
    const key = sent * SLOT_RANGE + network
    let after = this.afterSend.get(key)
    if (after === undefined) {
      const envelopes = this.sentLists[sent]!.map((id) => this.store.envelopes.values[id]!)
      after = this.store.networks.intern(this.steps.network.send(this.store.networks.values[network]!, envelopes))
      this.afterSend.set(key, after)
    }
    return after
  }

  private envelopeId(envelope: Envelope<M, Req, Res>): number {
    const id = this.store.envelopes.intern(envelope)
    if (this.targets[id] === undefined) {
      this.targets[id] = (envelope.kind === "response" ? this.clientIndex : this.nodeIndex).get(envelope.to) ?? -1
    }
    return id
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

  private infoOf(network: number): NetworkInfo {
    let info = this.networkInfo[network]
    if (info === undefined) {
      const slots = this.steps.network.slots(this.store.networks.values[network]!)
      info = {
        slots,
        deliveries: slots.map((slot) => ({ _tag: "Deliver", slot })),
        drops: slots.map((slot) => ({ _tag: "Drop", slot })),
        heads: slots.map(() => -1),
        delivered: slots.map(() => -1),
        dropped: slots.map(() => -1)
      }
      this.networkInfo[network] = info
    }
    return info
  }

  private slotOf(words: ReadonlyArray<number>, action: Extract<SystemAction, { _tag: "Deliver" | "Drop" }>): { info: NetworkInfo; index: number } {
    const info = this.infoOf(words[this.store.networkAt]!)
    let index = (action._tag === "Deliver" ? info.deliveries : info.drops).indexOf(action)
    if (index < 0) index = info.slots.indexOf(action.slot)
    if (index < 0) throw new RangeError(`no in-flight message in slot ${String(action.slot)}`)
    return { info, index }
  }

  private headOf(info: NetworkInfo, network: number, index: number): number {
    if (info.heads[index]! < 0) info.heads[index] = this.envelopeId(this.steps.network.peek(this.store.networks.values[network]!, info.slots[index]!))
    return info.heads[index]!
  }

  private deliveredFrom(info: NetworkInfo, network: number, index: number): number {
    if (info.delivered[index]! < 0) info.delivered[index] = this.store.networks.intern(this.steps.network.deliver(this.store.networks.values[network]!, info.slots[index]!))
    return info.delivered[index]!
  }

  private droppedFrom(info: NetworkInfo, network: number, index: number): number {
    if (info.dropped[index]! < 0) info.dropped[index] = this.store.networks.intern(this.steps.network.drop(this.store.networks.values[network]!, info.slots[index]!))
    return info.dropped[index]!
  }

  /** The state of `words` with the word at `at` replaced. */
  private with(words: ReadonlyArray<number>, at: number, value: number): State<S, M, T, Req, Res, D, CS, CT> {
    const next = words.slice()
    next[at] = value
    return this.store.live(next)
  }
}

/** The action firing timer `t`, made once. */
const timerAction = (actions: Array<SystemAction>, t: number, make: (timer: number) => SystemAction): SystemAction =>
  actions[t] ?? (actions[t] = make(t))
