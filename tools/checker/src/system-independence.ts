import type { NetworkSemantics, SystemState } from "@parley/core/model"
import type { CachedSteps } from "./cached-steps.ts"
import { RESTART, TIMER } from "./cached-steps.ts"
import type { Footprints, PartialOrder } from "./sleep-sets.ts"
import type { SystemAction } from "./system-steps.ts"

/**
 * Which steps of an actor system commute, for sleep sets (`sleep-sets.ts`).
 *
 * A step belongs to one agent: a delivery to its receiver (a node, or a
 * client for a response), a timer, crash or restart to its node or client;
 * a message lost by the network (`Drop`) belongs to none. A node's step
 * reads and writes only its own slot, takes its one message out of the
 * network and adds what it sends; a client's step reads and writes its own
 * slot and the client history; a crash also counts against the one crash
 * budget; the ghost history observes every step of a live node but a crash.
 * Two steps `a` and `b`, both enabled in a state, are taken as independent
 * exactly when:
 *
 * - they belong to different agents, and not to two clients: each client
 *   step may append to the one history, whose order is what linearizability
 *   reads, so two clients' steps never commute;
 * - they are not two crashes: the budget may allow one but not both;
 * - neither is a loss of the message the other delivers or loses (the same
 *   slot); on a duplicating network a loss commutes with nothing, as a step
 *   that sends the same message again would bring it back;
 * - where the system keeps a ghost history and both are steps it observes,
 *   the ghost after `a` then `b` is the ghost after `b` then `a`, computed
 *   from the two steps' effects (a ghost that lists what happened in order
 *   makes them dependent; one that keeps sets, not).
 *
 * Why such steps commute (`b` enabled after `a`, and `a(b(s)) = b(a(s))`):
 * a node's step is a function of its slot and its event alone, and neither
 * step touches the other's slot. The message a step takes stays in flight
 * after the other: on an unordered network it is another message (a
 * different receiver), and adding messages never removes one; on an ordered
 * network each takes the head of a link into its own agent, and the other
 * only appends to the tails of links out of its own, so heads stay heads
 * (a link the step appends to is not empty, since its head is being
 * delivered); on a duplicating network a delivery removes nothing. What the
 * two add to the network is the same multiset, set, or per-link sequence in
 * either order, as each link has one sender. The crash count changes only
 * by a crash; the history only by a client's step. The boundary (`within`)
 * may read anything, which the sleep sets allow for (see `SleepSets`).
 */
export class SystemIndependence<S, M, T, Req, Res, D, CS, CT> implements PartialOrder<SystemState<S, M, T, Req, Res, D, CS, CT>, SystemAction> {
  /** Per envelope id, the agent it is delivered to: a node's index, or the node count plus a client's. */
  private readonly receivers: Array<number> = []
  private readonly agentIndex: ReadonlyMap<string, number>
  private readonly duplicating: boolean
  private readonly nodeCount: number
  /**
   * The footprints of the state last described, made over in place for the
   * next: a search asks for one state's at a time, and a state's steps are
   * too many and too short-lived to allocate arrays for.
   */
  private readonly keys: Array<number> = []
  private steps = new StepsOfState(16)
  private words: ReadonlyArray<number> = []
  private readonly described: Footprints<SystemState<S, M, T, Req, Res, D, CS, CT>> = {
    keys: this.keys,
    independent: (i, afterI, j, afterJ) => this.independent(this.words, this.steps, i, afterI, j, afterJ)
  }

  constructor(
    private readonly cached: CachedSteps<S, M, T, Req, Res, D, CS, CT>,
    nodeIds: ReadonlyArray<string>,
    clientIds: ReadonlyArray<string>,
    network: NetworkSemantics
  ) {
    this.nodeCount = nodeIds.length
    // A node and a client may share a name; an envelope's kind says which it goes to.
    this.agentIndex = new Map([...nodeIds.map((id, i) => [`node ${id}`, i] as const), ...clientIds.map((id, j) => [`client ${id}`, nodeIds.length + j] as const)])
    this.duplicating = network === "duplicating"
  }

  footprints(state: SystemState<S, M, T, Req, Res, D, CS, CT>, actions: ReadonlyArray<SystemAction>): Footprints<SystemState<S, M, T, Req, Res, D, CS, CT>> {
    const { store } = this.cached
    const words = store.wordsOf(state)
    const network = words[store.networkAt]!
    const slots = store.network.slots(network)
    const count = actions.length
    const { keys } = this
    keys.length = count
    const steps = (this.steps = this.steps.sized(count))
    // Deliveries come first, then losses, each in the order of the slots (see `CachedSteps.actions`).
    let deliveries = 0
    let drops = 0
    for (let i = 0; i < count; i++) {
      const action = actions[i]!
      switch (action._tag) {
        case "Deliver":
        case "Drop": {
          const next = action._tag === "Deliver" ? deliveries++ : drops++
          const slot = slots[next] === action.slot ? next : slots.indexOf(action.slot)
          const envelope = store.network.head(network, slot)
          const agent = this.receiverOf(envelope)
          const lost = action._tag === "Drop"
          keys[i] = envelope * KINDS + (lost ? DROP : DELIVER)
          const observed = !lost && agent < this.nodeCount && store.slots.values[words[agent]!]!.up
          steps.set(i, lost ? NO_AGENT : agent, slot, observed ? envelope * 4 : NOT_OBSERVED, lost)
          break
        }
        case "NodeTimer":
          keys[i] = (action.node * TIMERS + action.timer) * KINDS + NODE_TIMER
          steps.set(i, action.node, NO_SLOT, action.timer * 4 + TIMER, false)
          break
        case "ClientTimer":
          keys[i] = (action.client * TIMERS + action.timer) * KINDS + CLIENT_TIMER
          steps.set(i, this.nodeCount + action.client, NO_SLOT, NOT_OBSERVED, false)
          break
        case "Crash":
          keys[i] = action.node * KINDS + CRASH
          steps.set(i, action.node, NO_SLOT, NOT_OBSERVED, false)
          steps.crash[i] = 1
          break
        case "Restart":
          keys[i] = action.node * KINDS + RESTART_KEY
          steps.set(i, action.node, NO_SLOT, RESTART, false)
          break
      }
    }
    this.words = words
    return this.described
  }

  private independent(
    words: ReadonlyArray<number>,
    steps: StepsOfState,
    i: number,
    afterI: SystemState<S, M, T, Req, Res, D, CS, CT>,
    j: number,
    afterJ: SystemState<S, M, T, Req, Res, D, CS, CT>
  ): boolean {
    if (steps.lost[i] === 1 || steps.lost[j] === 1) return !this.duplicating && steps.slot[i] !== steps.slot[j]
    const a = steps.agent[i]!
    const b = steps.agent[j]!
    if (a === b || (a >= this.nodeCount && b >= this.nodeCount)) return false
    if (steps.crash[i] === 1 && steps.crash[j] === 1) return false
    return this.ghostsCommute(words, steps, i, afterI, j, afterJ)
  }

  /** Whether the ghost history comes out the same whichever of two observed node steps goes first. */
  private ghostsCommute(
    words: ReadonlyArray<number>,
    steps: StepsOfState,
    i: number,
    afterI: SystemState<S, M, T, Req, Res, D, CS, CT>,
    j: number,
    afterJ: SystemState<S, M, T, Req, Res, D, CS, CT>
  ): boolean {
    const { store } = this.cached
    const at = store.ghostAt
    const codeI = steps.code[i]!
    const codeJ = steps.code[j]!
    if (at < 0 || codeI === NOT_OBSERVED || codeJ === NOT_OBSERVED) return true
    const ghost = words[at]!
    const ghostI = store.wordsOf(afterI)[at]!
    const ghostJ = store.wordsOf(afterJ)[at]!
    if (ghostI === ghost && ghostJ === ghost) return true
    const thenJ = this.cached.ghostAfter(words, steps.agent[j]!, codeJ, ghostI)
    return thenJ >= 0 && thenJ === this.cached.ghostAfter(words, steps.agent[i]!, codeI, ghostJ)
  }

  private receiverOf(envelope: number): number {
    let agent = this.receivers[envelope]
    if (agent === undefined) {
      const { kind, to } = this.cached.store.envelopes.values[envelope]!
      agent = this.agentIndex.get(`${kind === "response" ? "client" : "node"} ${to}`)!
      this.receivers[envelope] = agent
    }
    return agent
  }
}

/** Keys: what kind of step, in the low digits (base `KINDS`), over an envelope id or a node, client and timer index. */
const KINDS = 8
const DELIVER = 0
const DROP = 1
const NODE_TIMER = 2
const CLIENT_TIMER = 3
const CRASH = 4
const RESTART_KEY = 5
/** More timers than any node holds at once. */
const TIMERS = 1 << 16

const NO_AGENT = -1
const NO_SLOT = -1
const NOT_OBSERVED = -1

/** What independence reads of each step of one state, by the step's index. */
class StepsOfState {
  readonly agent: Int32Array
  readonly slot: Int32Array
  /** The node's event code (see `CachedSteps`) of a step the ghost history observes, else `NOT_OBSERVED`. */
  readonly code: Float64Array
  readonly lost: Uint8Array
  readonly crash: Uint8Array

  constructor(private readonly capacity: number) {
    this.agent = new Int32Array(capacity)
    this.slot = new Int32Array(capacity)
    this.code = new Float64Array(capacity)
    this.lost = new Uint8Array(capacity)
    this.crash = new Uint8Array(capacity)
  }

  /** These arrays, cleared, when they hold `count` steps; else larger ones. */
  sized(count: number): StepsOfState {
    if (count > this.capacity) return new StepsOfState(2 * count)
    this.crash.fill(0, 0, count)
    return this
  }

  set(i: number, agent: number, slot: number, code: number, lost: boolean): void {
    this.agent[i] = agent
    this.slot[i] = slot
    this.code[i] = code
    this.lost[i] = lost ? 1 : 0
  }
}
