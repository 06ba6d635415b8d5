import { fingerprintInto, SetOf, withFingerprintMemo } from "@parley/core/model"
import type {
  BuiltSpec,
  ClientOutput,
  ClientSlot,
  ClientStep,
  Envelope,
  HistoryEvent,
  Model,
  NodeContext,
  NodeSlot,
  Output,
  SentMessage,
  Step,
  StepEvent,
  SystemSpec,
  SystemState
} from "@parley/core/model"
import { networkFor } from "./network.ts"
import { systemSymmetry } from "./symmetry.ts"
import type { Slot } from "./network.ts"

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

/** A `BuiltSpec` as the Model the checker explores. */
export const toModel = (built: BuiltSpec): Model<unknown, unknown> =>
  built._tag === "Model" ? built.model : systemModel(built.system) as Model<unknown, unknown>

/**
 * Turns actors, clients, network semantics and a crash budget into a Model.
 * One step delivers one message (or fires one timer, crashes or restarts one
 * node) and performs everything the handler returns. A message to a crashed
 * node is lost when delivered, as a real network would lose it.
 */
export const systemModel = <S, M, T, Req, Res, D, CS, CT>(
  spec: SystemSpec<S, M, T, Req, Res, D, CS, CT>
): Model<SystemState<S, M, T, Req, Res, D, CS, CT>, SystemAction> => {
  type State = SystemState<S, M, T, Req, Res, D, CS, CT>
  type Env = Envelope<M, Req, Res>
  type Node = NodeSlot<S, T, D>

  const network = networkFor<Env>(spec.network)
  const nodeIds = spec.nodes.map((node) => node.id)
  const clientIds = spec.clients.map((client) => client.id)
  const contexts: ReadonlyArray<NodeContext> = nodeIds.map((self) => ({ self, nodes: nodeIds }))
  const crashable = new Set(spec.crashable ?? nodeIds)
  const nodeIndex = new Map(nodeIds.map((id, index) => [id, index]))
  const clientIndex = new Map(clientIds.map((id, index) => [id, index]))

  /**
   * The envelopes the latest performed step put on the network. `describe`
   * reads it right after replaying the step with `next`, which keeps the hot
   * path free of bookkeeping only traces need.
   */
  let lastSent: ReadonlyArray<Env> = []

  const actor = (index: number) => spec.nodes[index]!.actor
  const client = (index: number) => spec.clients[index]!.client

  const envelopesOf = (from: string, out: ReadonlyArray<Output<M, T, Res>>): Array<Env> => {
    const envelopes: Array<Env> = []
    for (const output of out) {
      if (output._tag === "Send") {
        if (!nodeIndex.has(output.to)) throw new UnknownAddressError(`${from} sent to unknown node "${output.to}"`)
        envelopes.push({ from, to: output.to, kind: "message", body: output.message })
      } else if (output._tag === "Reply") {
        if (!clientIndex.has(output.client)) {
          throw new UnknownAddressError(`${from} replied to unknown client "${output.client}"`)
        }
        envelopes.push({ from, to: output.client, kind: "response", body: output.response })
      }
    }
    return envelopes
  }

  const requestsOf = (from: string, out: ReadonlyArray<ClientOutput<Req, CT>>): Array<Env> => {
    const envelopes: Array<Env> = []
    for (const output of out) {
      if (output._tag !== "Request") continue
      if (!nodeIndex.has(output.to)) throw new UnknownAddressError(`client ${from} sent to unknown node "${output.to}"`)
      envelopes.push({ from, to: output.to, kind: "request", body: output.request })
    }
    return envelopes
  }

  const withTimers = <X>(timers: SetOf<X>, out: ReadonlyArray<{ readonly _tag: string; readonly timer?: X }>) => {
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

  /** A node's step performed: new state and timers, its sends and replies put on the network. */
  const performNode = (
    state: State,
    index: number,
    step: Step<S, M, T, Res>,
    timers: SetOf<T>,
    rest: Partial<State> = {}
  ): State => {
    const node: Node = withFingerprintMemo({ up: true, state: step.state, timers: withTimers(timers, step.out) })
    lastSent = envelopesOf(nodeIds[index]!, step.out)
    return {
      ...state,
      ...rest,
      nodes: replaceAt(state.nodes, index, node),
      network: network.send(rest.network ?? state.network, lastSent)
    }
  }

  /** The history after a client's outputs: its first request opens an operation unless one is open already. */
  const withInvocation = (
    history: ReadonlyArray<HistoryEvent<Req, Res>>,
    from: string,
    out: ReadonlyArray<ClientOutput<Req, CT>>
  ): ReadonlyArray<HistoryEvent<Req, Res>> => {
    const first = out.find((output) => output._tag === "Request")
    if (first === undefined || first._tag !== "Request" || awaiting(history, from)) return history
    return [...history, { _tag: "Invoke", client: from, node: first.to, request: first.request }]
  }

  const performClient = (
    state: State,
    index: number,
    step: ClientStep<CS, Req, CT>,
    timers: SetOf<CT>,
    rest: Partial<State> = {}
  ): State => {
    const from = clientIds[index]!
    const slot: ClientSlot<CS, CT> = withFingerprintMemo({ state: step.state, timers: withTimers(timers, step.out) })
    lastSent = requestsOf(from, step.out)
    return {
      ...state,
      ...rest,
      clients: replaceAt(state.clients, index, slot),
      network: network.send(rest.network ?? state.network, lastSent),
      history: withInvocation(rest.history ?? state.history, from, step.out)
    }
  }

  const initialState = (): State => {
    let state: State = {
      nodes: nodeIds.map((): Node => ({ up: false, durable: undefined as D })),
      clients: clientIds.map(() => ({ state: undefined as CS, timers: SetOf.empty<CT>() })),
      network: network.empty,
      crashes: 0,
      history: []
    }
    nodeIds.forEach((_, index) => {
      state = performNode(state, index, actor(index).init(contexts[index]!), SetOf.empty())
    })
    clientIds.forEach((self, index) => {
      state = performClient(state, index, client(index).init({ self, nodes: nodeIds }), SetOf.empty())
    })
    return state
  }

  const deliver = (state: State, slot: Slot): State | undefined => {
    const envelope = network.peek(state.network, slot)
    const remaining = network.deliver(state.network, slot)
    if (envelope.kind === "response") {
      const index = clientIndex.get(envelope.to)!
      const current = state.clients[index]!
      const returned: HistoryEvent<Req, Res> = {
        _tag: "Return",
        client: envelope.to,
        node: envelope.from,
        response: envelope.body
      }
      const completes = client(index).completes?.(current.state, envelope.body) ?? true
      const step = client(index).onResponse(current.state, envelope.from, envelope.body)
      // A duplicate of a response already returned (a duplicating network) is no new return.
      const history = completes && awaiting(state.history, envelope.to) ? [...state.history, returned] : state.history
      return performClient(state, index, step, current.timers, { network: remaining, history })
    }
    const index = nodeIndex.get(envelope.to)!
    const node = state.nodes[index]!
    if (!node.up) return remaining === state.network ? undefined : { ...state, network: remaining }
    const step = envelope.kind === "message"
      ? actor(index).onMessage(node.state, envelope.from, envelope.body)
      : actor(index).onRequest(node.state, envelope.from, envelope.body)
    return performNode(state, index, step, node.timers, { network: remaining })
  }

  const nodeTimer = (state: State, index: number, timerIndex: number): State | undefined => {
    const node = state.nodes[index]!
    if (!node.up) return undefined
    const timer = node.timers[timerIndex]!
    return performNode(state, index, actor(index).onTimer(node.state, timer), SetOf.remove(node.timers, timer))
  }

  const clientTimer = (state: State, index: number, timerIndex: number): State => {
    const slot = state.clients[index]!
    const timer = slot.timers[timerIndex]!
    return performClient(state, index, client(index).onTimer(slot.state, timer), SetOf.remove(slot.timers, timer))
  }

  const canCrash = (state: State, index: number): boolean =>
    state.nodes[index]!.up && state.crashes < spec.maxCrashes && crashable.has(nodeIds[index]!)

  const crash = (state: State, index: number): State | undefined => {
    const node = state.nodes[index]!
    if (!node.up || !canCrash(state, index)) return undefined
    const down: Node = withFingerprintMemo({ up: false, durable: actor(index).durable(node.state) })
    return { ...state, nodes: replaceAt(state.nodes, index, down), crashes: state.crashes + 1 }
  }

  const restart = (state: State, index: number): State | undefined => {
    const node = state.nodes[index]!
    if (node.up) return undefined
    return performNode(state, index, actor(index).recover(contexts[index]!, node.durable), SetOf.empty())
  }

  const next = (state: State, action: SystemAction): State | undefined => {
    switch (action._tag) {
      case "Deliver":
        return deliver(state, action.slot)
      case "Drop":
        return { ...state, network: network.drop(state.network, action.slot) }
      case "NodeTimer":
        return nodeTimer(state, action.node, action.timer)
      case "ClientTimer":
        return clientTimer(state, action.client, action.timer)
      case "Crash":
        return crash(state, action.node)
      case "Restart":
        return restart(state, action.node)
    }
  }

  const actions = (state: State): ReadonlyArray<SystemAction> => {
    const enabled: Array<SystemAction> = []
    const slots = network.slots(state.network)
    for (const slot of slots) enabled.push({ _tag: "Deliver", slot })
    if (spec.lossy) for (const slot of slots) enabled.push({ _tag: "Drop", slot })
    state.nodes.forEach((node, index) => {
      if (node.up) node.timers.forEach((_, timer) => enabled.push({ _tag: "NodeTimer", node: index, timer }))
    })
    state.clients.forEach((slot, index) => {
      slot.timers.forEach((_, timer) => enabled.push({ _tag: "ClientTimer", client: index, timer }))
    })
    state.nodes.forEach((_, index) => {
      if (canCrash(state, index)) enabled.push({ _tag: "Crash", node: index })
    })
    state.nodes.forEach((node, index) => {
      if (!node.up) enabled.push({ _tag: "Restart", node: index })
    })
    return enabled
  }

  const fingerprintWords = new Uint32Array(2)
  const keyOf = (prefix: string, value: unknown): string => {
    fingerprintInto(value, fingerprintWords, 0)
    return `${prefix} ${fingerprintWords[0]!.toString(36)}.${fingerprintWords[1]!.toString(36)}`
  }

  /**
   * Deliveries and timers are fair: a message that stays deliverable is
   * delivered (to a crashed node it is lost, but delivered), a timer that
   * stays pending fires. Losses, crashes and restarts are not: a node may stay
   * down forever, which is what crash-stop means.
   */
  const fairness = (state: State, action: SystemAction): string | undefined => {
    switch (action._tag) {
      case "Deliver":
        return keyOf("deliver", network.peek(state.network, action.slot))
      case "NodeTimer": {
        const node = state.nodes[action.node] as Extract<Node, { up: true }>
        return keyOf(`timer ${nodeIds[action.node]}`, node.timers[action.timer])
      }
      case "ClientTimer":
        return keyOf(`timer ${clientIds[action.client]}`, state.clients[action.client]!.timers[action.timer])
      default:
        return undefined
    }
  }

  const formatBody = (envelope: Env): string => {
    switch (envelope.kind) {
      case "message":
        return spec.formatMessage(envelope.body)
      case "request":
        return spec.formatRequest?.(envelope.body) ?? "request"
      case "response":
        return spec.formatResponse?.(envelope.body) ?? "response"
    }
  }

  /** What the step that led to `after` put on the network. */
  const sentBy = (after: State | undefined): ReadonlyArray<SentMessage> =>
    after === undefined ? [] : lastSent.map((envelope) => ({ to: envelope.to, message: formatBody(envelope) }))

  const withSent = <E extends StepEvent>(event: E, sent: ReadonlyArray<SentMessage>): E =>
    sent.length === 0 ? event : { ...event, sent }

  const describe = (state: State, action: SystemAction): StepEvent => {
    lastSent = []
    const after = next(state, action)
    switch (action._tag) {
      case "Deliver":
      case "Drop": {
        const envelope = network.peek(state.network, action.slot)
        const lost = action._tag === "Drop" || (envelope.kind !== "response" && !state.nodes[nodeIndex.get(envelope.to)!]!.up)
        const event = { from: envelope.from, to: envelope.to, message: formatBody(envelope) }
        return lost ? { _tag: "Drop", ...event } : withSent({ _tag: "Deliver", ...event }, sentBy(after))
      }
      case "NodeTimer": {
        const node = state.nodes[action.node] as Extract<Node, { up: true }>
        const timer = spec.formatTimer(node.timers[action.timer]!)
        return withSent({ _tag: "Timer", node: nodeIds[action.node]!, timer }, sentBy(after))
      }
      case "ClientTimer": {
        const timer = formatClientTimer(state.clients[action.client]!.timers[action.timer])
        return withSent({ _tag: "Timer", node: clientIds[action.client]!, timer }, sentBy(after))
      }
      case "Crash":
        return { _tag: "Crash", node: nodeIds[action.node]! }
      case "Restart":
        return withSent({ _tag: "Restart", node: nodeIds[action.node]! }, sentBy(after))
    }
  }

  /** A lane shows the pending timers too, so a trace explains why a timer could fire. */
  const withPendingTimers = (shown: unknown, timers: ReadonlyArray<string>): unknown => {
    if (timers.length === 0) return shown
    const pending = [...timers].sort()
    return typeof shown === "object" && shown !== null && !Array.isArray(shown)
      ? { ...shown, timers: pending }
      : { state: shown, timers: pending }
  }

  const lanes = (state: State): Readonly<Record<string, unknown>> => {
    const view: Record<string, unknown> = {}
    state.nodes.forEach((node, index) => {
      view[nodeIds[index]!] = node.up
        ? withPendingTimers(spec.view === undefined ? node.state : spec.view(node.state), node.timers.map(spec.formatTimer))
        : { down: true, durable: node.durable }
    })
    state.clients.forEach((slot, index) => {
      view[clientIds[index]!] = withPendingTimers(slot.state, slot.timers.map(formatClientTimer))
    })
    return view
  }

  return {
    init: () => [initialState()],
    actions,
    next,
    properties: spec.properties,
    ...(spec.transitions === undefined ? {} : { transitions: spec.transitions }),
    ...(spec.within === undefined ? {} : { within: (state: State) => spec.within!(state) }),
    ...(spec.terminal === undefined ? {} : { terminal: (state: State) => spec.terminal!(state) }),
    fairness,
    ...(spec.symmetric === undefined ? {} : {
      symmetryFingerprint: systemSymmetry<State>(nodeIds, [...nodeIds, ...clientIds], spec.symmetric)
    }),
    describe,
    lanes
  }
}

/** Whether `client` has invoked more operations than have returned. */
const awaiting = (history: ReadonlyArray<HistoryEvent<unknown, unknown>>, client: string): boolean => {
  let open = 0
  for (const event of history) if (event.client === client) open += event._tag === "Invoke" ? 1 : -1
  return open > 0
}

/** A SystemSpec formats node timers only; a client's timer is shown as its data. */
const formatClientTimer = (timer: unknown): string => typeof timer === "string" ? timer : JSON.stringify(timer)
