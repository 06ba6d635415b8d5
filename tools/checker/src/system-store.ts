import { fingerprintWordsInto } from "@parley/core/model"
import type { ClientSlot, Envelope, HistoryEvent, NetworkSemantics, NodeSlot, StateCodec, SystemState } from "@parley/core/model"
import { Interner } from "./interner.ts"
import { networkIdsFor } from "./network-ids.ts"
import type { NetworkIds, PendingNetwork } from "./network-ids.ts"

/** Where a live state built by the store keeps its words, so they need not be worked out again. */
const WORDS: unique symbol = Symbol("SystemStore.words")
/** Where a live state whose network has no id yet keeps that network. */
const PENDING_NETWORK: unique symbol = Symbol("SystemStore.pendingNetwork")

/** The network word of a state whose network is the store's pending one (see `NetworkIds.pend`). */
export const PENDING = 0xffffffff

const KEPT: ReadonlyArray<string> = ["nodes", "clients", "network", "crashes", "history", "ghost"]

type Stored<State> = State & { [WORDS]?: ReadonlyArray<number>; readonly [PENDING_NETWORK]?: PendingNetwork | undefined }
type Words = ArrayLike<number>

/**
 * An actor system's states as words: one id per node slot, per client slot,
 * the network's id, the crash count, the history's id and, in a system with
 * one, the ghost history's id, each id naming a hash-consed value (see
 * `Interner`). A step changes one or two of them, so
 * a state costs its words in a BFS level, and its values are shared with
 * every other state that holds them.
 *
 * The live states handed out are built from the shared values, so equal
 * parts of two states are the same objects; each keeps its words. The
 * fingerprint is made of the parts' structural fingerprints, never of the
 * ids, so every thread gives a state the same one.
 */
export class SystemStore<S, M, T, Req, Res, D, CS, CT> {
  readonly slots = new Interner<NodeSlot<S, T, D>>()
  readonly clientSlots = new Interner<ClientSlot<CS, CT>>()
  readonly histories = new Interner<ReadonlyArray<HistoryEvent<Req, Res>>>()
  readonly ghosts = new Interner<unknown>()
  readonly envelopes = new Interner<Envelope<M, Req, Res>>()
  readonly network: NetworkIds<Envelope<M, Req, Res>>
  /** Index of the network's word; the crash count's, the history's and the ghost's (when kept) follow it. */
  readonly networkAt: number
  readonly crashesAt: number
  readonly historyAt: number
  /** Index of the ghost history's word; -1 in a system without one, whose states have no `ghost` part. */
  readonly ghostAt: number
  readonly width: number
  private readonly lanes: Uint32Array

  readonly nodeCount: number
  readonly clientCount: number

  constructor(nodeIds: ReadonlyArray<string>, clientIds: ReadonlyArray<string>, semantics: NetworkSemantics, hasGhost: boolean) {
    this.nodeCount = nodeIds.length
    this.clientCount = clientIds.length
    this.network = networkIdsFor(semantics, this.envelopes, [...nodeIds, ...clientIds])
    const { nodeCount, clientCount } = this
    this.networkAt = nodeCount + clientCount
    this.crashesAt = this.networkAt + 1
    this.historyAt = this.networkAt + 2
    this.ghostAt = hasGhost ? this.networkAt + 3 : -1
    this.width = this.networkAt + (hasGhost ? 4 : 3)
    this.lanes = new Uint32Array(2 * this.width)
  }

  /** Whether a system state has only the parts the store keeps as words: nodes, clients, network, crashes, history and ghost. */
  static keeps(state: object): boolean {
    return Object.keys(state).every((part) => KEPT.includes(part))
  }

  /** The live state of `words`, which it keeps. */
  live(words: ReadonlyArray<number>): SystemState<S, M, T, Req, Res, D, CS, CT> {
    return this.build(words, words[this.networkAt] === PENDING ? this.network.pending() : undefined)
  }

  /**
   * The live state of words a step wrote, whose network may be the pending
   * one (see `NetworkIds.pend`): the state keeps a copy of the words, and
   * that network, given an id only if the state's words are asked for.
   */
  liveOfStep(words: Words): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const copy = new Array<number>(this.width)
    for (let i = 0; i < this.width; i++) copy[i] = words[i]!
    return this.live(copy)
  }

  /** Gives the pending network of words a step wrote its id, in place, so that the words can be kept. */
  commit(words: Uint32Array): void {
    if (words[this.networkAt] === PENDING) words[this.networkAt] = this.network.idOfPending(this.network.pending())
  }

  private build(words: ReadonlyArray<number>, pending: PendingNetwork | undefined): SystemState<S, M, T, Req, Res, D, CS, CT> {
    const nodes = new Array<NodeSlot<S, T, D>>(this.nodeCount)
    for (let i = 0; i < this.nodeCount; i++) nodes[i] = this.slots.values[words[i]!]!
    const clients = new Array<ClientSlot<CS, CT>>(this.clientCount)
    for (let j = 0; j < this.clientCount; j++) clients[j] = this.clientSlots.values[words[this.nodeCount + j]!]!
    const network = pending === undefined ? this.network.live(words[this.networkAt]!) : this.network.liveOfPending(pending)
    const crashes = words[this.crashesAt]!
    const history = this.histories.values[words[this.historyAt]!]!
    // Every part in the literal, the ghost too where there is one: a part added after the literal costs V8 a new shape and a
    // backing store for it, five times the time of the literal (a million live states a search).
    const state: Stored<SystemState<S, M, T, Req, Res, D, CS, CT>> = this.ghostAt < 0
      ? { nodes, clients, network, crashes, history, [WORDS]: words, [PENDING_NETWORK]: pending }
      : { nodes, clients, network, crashes, history, ghost: this.ghosts.values[words[this.ghostAt]!], [WORDS]: words, [PENDING_NETWORK]: pending }
    return state
  }

  /** The words a state the store built keeps, its network's perhaps `PENDING`; undefined for any other state. */
  keptWords(state: SystemState<S, M, T, Req, Res, D, CS, CT>): ReadonlyArray<number> | undefined {
    return (state as Stored<SystemState<S, M, T, Req, Res, D, CS, CT>>)[WORDS]
  }

  /** The words of a state: kept by one the store built, worked out (by interning each part) for any other. */
  wordsOf(state: SystemState<S, M, T, Req, Res, D, CS, CT>): ReadonlyArray<number> {
    const stored = state as Stored<SystemState<S, M, T, Req, Res, D, CS, CT>>
    const kept = stored[WORDS]
    if (kept !== undefined && kept[this.networkAt] === PENDING) {
      const words = kept.slice()
      words[this.networkAt] = this.network.idOfPending(stored[PENDING_NETWORK]!)
      stored[WORDS] = words
      return words
    }
    if (kept !== undefined) return kept
    const words = new Array<number>(this.width)
    for (let i = 0; i < this.nodeCount; i++) words[i] = this.slots.intern(state.nodes[i]!)
    for (let j = 0; j < this.clientCount; j++) words[this.nodeCount + j] = this.clientSlots.intern(state.clients[j]!)
    words[this.networkAt] = this.network.idOf(state.network)
    words[this.crashesAt] = state.crashes
    words[this.historyAt] = this.histories.intern(state.history)
    if (this.ghostAt >= 0) words[this.ghostAt] = this.ghosts.intern(state.ghost)
    return words
  }

  /** The state as a `StateCodec`: its words, thread-local, with a fingerprint every thread agrees on. */
  codec(): StateCodec<SystemState<S, M, T, Req, Res, D, CS, CT>> {
    const { width } = this
    return {
      words: width,
      threadLocal: true,
      encode: (state, out, offset) => {
        const words = this.wordsOf(state)
        for (let i = 0; i < width; i++) out[offset + i] = words[i]!
      },
      decode: (words, offset) => {
        const copy = new Array<number>(width)
        for (let i = 0; i < width; i++) copy[i] = words[offset + i]!
        return this.live(copy)
      },
      fingerprint: (words, offset, out) => this.fingerprintInto(words, offset, out)
    }
  }

  /** A hash of the parts' fingerprints in order, and the crash count; the network may be the pending one. */
  fingerprintInto(words: Words, offset: number, out: Uint32Array): void {
    const { lanes, nodeCount, networkAt, slots, clientSlots, network, histories } = this
    for (let i = 0; i < nodeCount; i++) {
      lanes[2 * i] = slots.lanesA[words[offset + i]!]!
      lanes[2 * i + 1] = slots.lanesB[words[offset + i]!]!
    }
    for (let j = nodeCount; j < networkAt; j++) {
      lanes[2 * j] = clientSlots.lanesA[words[offset + j]!]!
      lanes[2 * j + 1] = clientSlots.lanesB[words[offset + j]!]!
    }
    const networkId = words[offset + networkAt]!
    lanes[2 * networkAt] = networkId === PENDING ? network.pendingA : network.lanesA[networkId]!
    lanes[2 * networkAt + 1] = networkId === PENDING ? network.pendingB : network.lanesB[networkId]!
    lanes[2 * this.crashesAt] = words[offset + this.crashesAt]!
    lanes[2 * this.crashesAt + 1] = 0
    const historyId = words[offset + this.historyAt]!
    lanes[2 * this.historyAt] = histories.lanesA[historyId]!
    lanes[2 * this.historyAt + 1] = histories.lanesB[historyId]!
    if (this.ghostAt >= 0) {
      const ghostId = words[offset + this.ghostAt]!
      lanes[2 * this.ghostAt] = this.ghosts.lanesA[ghostId]!
      lanes[2 * this.ghostAt + 1] = this.ghosts.lanesB[ghostId]!
    }
    fingerprintWordsInto(lanes, 0, 2 * this.width, out, 0)
  }
}
