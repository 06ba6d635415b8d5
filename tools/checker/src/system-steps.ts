import { fingerprintInto, SetOf, withFingerprintMemo } from "@parley/core/model"
import type {
  ClientOutput,
  ClientSlot,
  ClientStep,
  Envelope,
  GhostHistory,
  HistoryEvent,
  NodeContext,
  NodeSlot,
  Output,
  Step,
  SystemSpec,
  SystemState
} from "@parley/core/model"
import { networkFor } from "./network.ts"
import type { Network, Slot } from "./network.ts"

/**
 * What the checker may do to a system in one step: deliver or lose an
 * in-flight message, fire a pending timer of a node or a client, crash a node
 * or restart a crashed one. Timers fire in any order, as nothing in the model
 * measures time.
 */
export type SystemAction =
  | { readonly _tag: "Deliver"; readonly slot: Slot }
  | { readonly _tag: "Drop"; readonly slot: Slot }
  | { readonly _tag: "NodeTimer"; readonly node: number; readonly timer: number }
  | { readonly _tag: "ClientTimer"; readonly client: number; readonly timer: number }
  | { readonly _tag: "Crash"; readonly node: number }
  | { readonly _tag: "Restart"; readonly node: number }

/** A spec that sends to a node or client it does not declare is broken; say which. */
export class UnknownAddressError extends Error {
  override readonly name = "UnknownAddressError"
}

/**
 * The steps of a system: what each action does to a state, each its own
 * method, with what every step needs (the network, the ids and their
 * indices) worked out once from the spec. One step delivers one message (or
 * fires one timer, crashes or restarts one node) and performs everything the
 * handler returns. A message to a crashed node is lost when delivered, as a
 * real network would lose it.
 *
 * The steps are the checker's hot loop: a slot keeps its fingerprint memo
 * (see `withFingerprintMemo`), and what a step sent is gathered only when a
 * caller passes a `sent` array (a trace), never otherwise.
 */
export class SystemSteps<S, M, T, Req, Res, D, CS, CT> {
  readonly network: Network<Envelope<M, Req, Res>>
  readonly nodeIds: ReadonlyArray<string>
  readonly clientIds: ReadonlyArray<string>
  private readonly contexts: ReadonlyArray<NodeContext>
  private readonly crashable: ReadonlySet<string>
  private readonly nodeIndex: ReadonlyMap<string, number>
  private readonly clientIndex: ReadonlyMap<string, number>
  private readonly fingerprintWords = new Uint32Array(2)

  constructor(readonly spec: SystemSpec<S, M, T, Req, Res, D, CS, CT>) {
    this.network = networkFor<Envelope<M, Req, Res>>(spec.network)
    const nodeIds = spec.nodes.map((node) => node.id)
    this.nodeIds = nodeIds
    this.clientIds = spec.clients.map((client) => client.id)
    this.contexts = nodeIds.map((self) => ({ self, nodes: nodeIds }))
    this.crashable = new Set(spec.crashable ?? nodeIds)
    this.nodeIndex = new Map(nodeIds.map((id, index) => [id, index]))
    this.clientIndex = new Map(this.clientIds.map((id, index) => [id, index]))
  }

  /** Every node and client started, and what they sent on starting in flight. */
  initialState(): SystemState<S, M, T, Req, Res, D, CS, CT> {
    let state: SystemState<S, M, T, Req, Res, D, CS, CT> = {
      nodes: this.nodeIds.map((): NodeSlot<S, T, D> => ({ up: false, durable: undefined as D })),
      clients: this.clientIds.map(() => ({ state: undefined as CS, timers: SetOf.empty<CT>() })),
      network: this.network.empty,
      crashes: 0,
      history: [],
      ...(this.spec.ghost === undefined ? {} : { ghost: this.spec.ghost.init })
    }
    this.nodeIds.forEach((_, index) => {
      state = this.performNode(state, index, this.spec.nodes[index]!.actor.init(this.contexts[index]!), SetOf.empty(), {}, undefined)
    })
    this.clientIds.forEach((self, index) => {
      const step = this.spec.clients[index]!.client.init({ self, nodes: this.nodeIds })
      state = this.performClient(state, index, step, SetOf.empty(), {}, undefined)
    })
    return state
  }

  actions(state: SystemState<S, M, T, Req, Res, D, CS, CT>): ReadonlyArray<SystemAction> {
    const enabled: Array<SystemAction> = []
    const slots = this.network.slots(state.network)
    for (const slot of slots) enabled.push({ _tag: "Deliver", slot })
    if (this.spec.lossy) for (const slot of slots) enabled.push({ _tag: "Drop", slot })
    state.nodes.forEach((node, index) => {
      if (node.up) node.timers.forEach((_, timer) => enabled.push({ _tag: "NodeTimer", node: index, timer }))
    })
    state.clients.forEach((slot, index) => {
      slot.timers.forEach((_, timer) => enabled.push({ _tag: "ClientTimer", client: index, timer }))
    })
    state.nodes.forEach((_, index) => {
      if (this.canCrash(state, index)) enabled.push({ _tag: "Crash", node: index })
    })
    state.nodes.forEach((node, index) => {
      if (!node.up) enabled.push({ _tag: "Restart", node: index })
    })
    return enabled
  }

  /** The state after `action`, or undefined when it changes nothing; `sent`, when given, gathers what the step put on the network. */
  next(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    action: SystemAction,
    sent?: Array<Envelope<M, Req, Res>>
  ): SystemState<S, M, T, Req, Res, D, CS, CT> | undefined {
    switch (action._tag) {
      case "Deliver":
        return this.deliver(state, action.slot, sent)
      case "Drop":
        return { ...state, network: this.network.drop(state.network, action.slot) }
      case "NodeTimer":
        return this.fireNodeTimer(state, action.node, action.timer, sent)
      case "ClientTimer":
        return this.fireClientTimer(state, action.client, action.timer, sent)
      case "Crash":
        return this.crash(state, action.node)
      case "Restart":
        return this.restart(state, action.node, sent)
    }
  }

  /** Whether a delivery in `slot` is lost: dropped by the network, or to a node that is down. */
  isLost(state: SystemState<S, M, T, Req, Res, D, CS, CT>, action: Extract<SystemAction, { _tag: "Deliver" | "Drop" }>): boolean {
    if (action._tag === "Drop") return true
    const envelope = this.network.peek(state.network, action.slot)
    return envelope.kind !== "response" && !state.nodes[this.nodeIndex.get(envelope.to)!]!.up
  }

  private deliver(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    slot: Slot,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> | undefined {
    const envelope = this.network.peek(state.network, slot)
    const remaining = this.network.deliver(state.network, slot)
    if (envelope.kind === "response") return this.returnToClient(state, envelope, remaining, sent)
    const index = this.nodeIndex.get(envelope.to)!
    const node = state.nodes[index]!
    if (!node.up) return remaining === state.network ? undefined : { ...state, network: remaining }
    const actor = this.spec.nodes[index]!.actor
    const step = envelope.kind === "message"
      ? actor.onMessage(node.state, envelope.from, envelope.body)
      : actor.onRequest(node.state, envelope.from, envelope.body)
    return this.performNode(state, index, step, node.timers, { network: remaining }, sent)
  }

  /** A response delivered to its client, which records the operation's return in the history unless it is a duplicate. */
  private returnToClient(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    envelope: Extract<Envelope<M, Req, Res>, { kind: "response" }>,
    remaining: SystemState<S, M, T, Req, Res, D, CS, CT>["network"],
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const index = this.clientIndex.get(envelope.to)!
    const current = state.clients[index]!
    const client = this.spec.clients[index]!.client
    const returned: HistoryEvent<Req, Res> = { _tag: "Return", client: envelope.to, node: envelope.from, response: envelope.body }
    const completes = client.completes?.(current.state, envelope.body) ?? true
    const step = client.onResponse(current.state, envelope.from, envelope.body)
    // A duplicate of a response already returned (a duplicating network) is no new return.
    const history = completes && awaiting(state.history, envelope.to) ? [...state.history, returned] : state.history
    return this.performClient(state, index, step, current.timers, { network: remaining, history }, sent)
  }

  private fireNodeTimer(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    timerIndex: number,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> | undefined {
    const node = state.nodes[index]!
    if (!node.up) return undefined
    const timer = node.timers[timerIndex]!
    const step = this.spec.nodes[index]!.actor.onTimer(node.state, timer)
    return this.performNode(state, index, step, SetOf.remove(node.timers, timer), {}, sent)
  }

  private fireClientTimer(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    timerIndex: number,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const slot = state.clients[index]!
    const timer = slot.timers[timerIndex]!
    const step = this.spec.clients[index]!.client.onTimer(slot.state, timer)
    return this.performClient(state, index, step, SetOf.remove(slot.timers, timer), {}, sent)
  }

  private canCrash(state: SystemState<S, M, T, Req, Res, D, CS, CT>, index: number): boolean {
    return state.nodes[index]!.up && state.crashes < this.spec.maxCrashes && this.crashable.has(this.nodeIds[index]!)
  }

  /** A node down, keeping only what it made durable; it sends nothing. */
  private crash(state: SystemState<S, M, T, Req, Res, D, CS, CT>, index: number): SystemState<S, M, T, Req, Res, D, CS, CT> | undefined {
    const node = state.nodes[index]!
    if (!node.up || !this.canCrash(state, index)) return undefined
    const down: NodeSlot<S, T, D> = withFingerprintMemo({ up: false, durable: this.spec.nodes[index]!.actor.durable(node.state) })
    return { ...state, nodes: replaceAt(state.nodes, index, down), crashes: state.crashes + 1 }
  }

  private restart(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> | undefined {
    const node = state.nodes[index]!
    if (node.up) return undefined
    const step = this.spec.nodes[index]!.actor.recover(this.contexts[index]!, node.durable)
    return this.performNode(state, index, step, SetOf.empty(), {}, sent)
  }

  /** A node's step performed: new state and timers, its sends and replies put on the network. */
  private performNode(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    step: Step<S, M, T, Res>,
    timers: SetOf<T>,
    rest: Partial<SystemState<S, M, T, Req, Res, D, CS, CT>>,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const node: NodeSlot<S, T, D> = withFingerprintMemo({ up: true, state: step.state, timers: withTimers(timers, step.out) })
    const envelopes = this.envelopesOf(this.nodeIds[index]!, step.out)
    if (sent !== undefined) sent.push(...envelopes)
    const next = {
      ...state,
      ...rest,
      nodes: replaceAt(state.nodes, index, node),
      network: this.network.send(rest.network ?? state.network, envelopes)
    }
    const ghost = this.spec.ghost
    return ghost === undefined ? next : this.observed(ghost, next, index, state.nodes[index]!, step.state)
  }

  /** `next` with its ghost history updated by the step that took node `index` from `before` to `after`. */
  private observed(
    ghost: GhostHistory<S, unknown>,
    next: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    before: NodeSlot<S, T, D>,
    after: S
  ): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const history = ghost.observe(next.ghost, this.nodeIds[index]!, before.up ? before.state : undefined, after)
    return history === next.ghost ? next : { ...next, ghost: history }
  }

  /** A client's step performed: its requests put on the network, its first request opening an operation in the history. */
  private performClient(
    state: SystemState<S, M, T, Req, Res, D, CS, CT>,
    index: number,
    step: ClientStep<CS, Req, CT>,
    timers: SetOf<CT>,
    rest: Partial<SystemState<S, M, T, Req, Res, D, CS, CT>>,
    sent: Array<Envelope<M, Req, Res>> | undefined
  ): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const from = this.clientIds[index]!
    const slot: ClientSlot<CS, CT> = withFingerprintMemo({ state: step.state, timers: withTimers(timers, step.out) })
    const envelopes = this.requestsOf(from, step.out)
    if (sent !== undefined) sent.push(...envelopes)
    return {
      ...state,
      ...rest,
      clients: replaceAt(state.clients, index, slot),
      network: this.network.send(rest.network ?? state.network, envelopes),
      history: withInvocation(rest.history ?? state.history, from, step.out)
    }
  }

  private envelopesOf(from: string, out: ReadonlyArray<Output<M, T, Res>>): Array<Envelope<M, Req, Res>> {
    const envelopes: Array<Envelope<M, Req, Res>> = []
    for (const output of out) {
      if (output._tag === "Send") {
        if (!this.nodeIndex.has(output.to)) throw new UnknownAddressError(`${from} sent to unknown node "${output.to}"`)
        envelopes.push({ from, to: output.to, kind: "message", body: output.message })
      } else if (output._tag === "Reply") {
        if (!this.clientIndex.has(output.client)) throw new UnknownAddressError(`${from} replied to unknown client "${output.client}"`)
        envelopes.push({ from, to: output.client, kind: "response", body: output.response })
      }
    }
    return envelopes
  }

  private requestsOf(from: string, out: ReadonlyArray<ClientOutput<Req, CT>>): Array<Envelope<M, Req, Res>> {
    const envelopes: Array<Envelope<M, Req, Res>> = []
    for (const output of out) {
      if (output._tag !== "Request") continue
      if (!this.nodeIndex.has(output.to)) throw new UnknownAddressError(`client ${from} sent to unknown node "${output.to}"`)
      envelopes.push({ from, to: output.to, kind: "request", body: output.request })
    }
    return envelopes
  }

  /**
   * Deliveries and timers are fair: a message that stays deliverable is
   * delivered (to a crashed node it is lost, but delivered), a timer that
   * stays pending fires. Losses, crashes and restarts are not: a node may stay
   * down forever, which is what crash-stop means.
   */
  fairness(state: SystemState<S, M, T, Req, Res, D, CS, CT>, action: SystemAction): string | undefined {
    switch (action._tag) {
      case "Deliver":
        return this.keyOf("deliver", this.network.peek(state.network, action.slot))
      case "NodeTimer": {
        const node = state.nodes[action.node] as Extract<NodeSlot<S, T, D>, { up: true }>
        return this.keyOf(`timer ${this.nodeIds[action.node]}`, node.timers[action.timer])
      }
      case "ClientTimer":
        return this.keyOf(`timer ${this.clientIds[action.client]}`, state.clients[action.client]!.timers[action.timer])
      default:
        return undefined
    }
  }

  private keyOf(prefix: string, value: unknown): string {
    fingerprintInto(value, this.fingerprintWords, 0)
    return `${prefix} ${this.fingerprintWords[0]!.toString(36)}.${this.fingerprintWords[1]!.toString(36)}`
  }
}

const withTimers = <X>(timers: SetOf<X>, out: ReadonlyArray<{ readonly _tag: string; readonly timer?: X }>): SetOf<X> => {
  let result = timers
  for (const output of out) {
    if (output._tag === "SetTimer") result = SetOf.add(result, output.timer as X)
    else if (output._tag === "CancelTimer") result = SetOf.remove(result, output.timer as X)
  }
  return result
}

const replaceAt = <X>(items: ReadonlyArray<X>, index: number, item: X): ReadonlyArray<X> => {
  const copy = items.slice()
  copy[index] = item
  return copy
}

/** The history after a client's outputs: its first request opens an operation unless one is open already. */
const withInvocation = <Req, Res, CT>(
  history: ReadonlyArray<HistoryEvent<Req, Res>>,
  from: string,
  out: ReadonlyArray<ClientOutput<Req, CT>>
): ReadonlyArray<HistoryEvent<Req, Res>> => {
  const first = out.find((output) => output._tag === "Request")
  if (first === undefined || first._tag !== "Request" || awaiting(history, from)) return history
  return [...history, { _tag: "Invoke", client: from, node: first.to, request: first.request }]
}

/** Whether `client` has invoked more operations than have returned. */
const awaiting = (history: ReadonlyArray<HistoryEvent<unknown, unknown>>, client: string): boolean => {
  let open = 0
  for (const event of history) if (event.client === client) open += event._tag === "Invoke" ? 1 : -1
  return open > 0
}
