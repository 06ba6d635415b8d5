import { Bag, fingerprintWordsInto, SetOf, withFingerprintMemo } from "@parley/core/model"
import type { Envelope, NetworkSemantics, NetworkState } from "@parley/core/model"
import type { Interner } from "./interner.ts"
import type { Slot } from "./network.ts"
import { PairMap, TupleTable } from "./tuple-table.ts"

/**
 * The in-flight messages as ids (see `Network` for the semantics): a
 * network is a tuple of envelope ids, or of (link, queue) ids on an ordered
 * network, so a step's change to it is a few integer operations and an
 * exact lookup, never a structural hash. Each id gives the live network the
 * spec reads, shaped exactly as `Network` shapes it and built when first
 * asked for, and its fingerprint, made of the envelopes' structural
 * fingerprints, so the same in every thread.
 */
export interface NetworkIds<E> {
  readonly lanesA: ReadonlyArray<number>
  readonly lanesB: ReadonlyArray<number>
  /** Whether a delivered message leaves the network (all but a duplicating one). */
  readonly deliveryRemoves: boolean
  idOf(network: NetworkState<E>): number
  live(network: number): NetworkState<E>
  slots(network: number): ReadonlyArray<Slot>
  /** The envelope at the head of the `index`th slot. */
  head(network: number, index: number): number
  /** The network with the head of slot `removed` taken out (none when -1), then `sent` sent. */
  after(network: number, removed: number, sent: ReadonlyArray<number>): number
  /**
   * `after` without giving the network an id: it is the pending one, whose
   * fingerprint `pendingA` and `pendingB` hold, until the next `pend`.
   * Most successors are met before or lie outside the boundary, and
   * neither needs its network kept (see `PendingNetwork`).
   */
  pend(network: number, removed: number, sent: ReadonlyArray<number>): void
  readonly pendingA: number
  readonly pendingB: number
  /** The pending network, kept for later: the last `pend`'s. */
  pending(): PendingNetwork
  /** The id of a pending network, given it now if it has none. */
  idOfPending(network: PendingNetwork): number
  /** The live network of a pending one. */
  liveOfPending(network: PendingNetwork): NetworkState<E>
}

/** A network worked out by a step but given no id yet: its tuple and fingerprint. */
export interface PendingNetwork {
  readonly tuple: ReadonlyArray<number>
  readonly a: number
  readonly b: number
}

type E<M, Req, Res> = Envelope<M, Req, Res>

/**
 * How many live networks, and slot lists, are kept lately (see `live`,
 * `slots` and `liveOfPending`). Few: a kept network is read by the states
 * met close together, and one kept longer outlives a scavenge or two, is
 * copied and promoted, and dies in the old generation. With 16,384 of each,
 * these were most of what a raft check's scavenges copied (97 MB of its
 * young objects survived, 66 MB were promoted); with 1,024, 40 and 20 MB,
 * for about as many networks built. On two threads a scavenge's work is
 * not free, as it is on one (see `docs/figures.md`).
 */
const RECENT = 1 << 10

export const networkIdsFor = <M, Req, Res>(
  semantics: NetworkSemantics,
  envelopes: Interner<E<M, Req, Res>>,
  addresses: ReadonlyArray<string>
): NetworkIds<E<M, Req, Res>> =>
  semantics === "ordered" ? new OrderedIds(envelopes, addresses) : new ListIds(envelopes, semantics === "duplicating")

/** What every kind keeps per network id: the tuple, the fingerprint's lanes, and once asked for, the live network and its slots. */
abstract class Networks<M, Req, Res> {
  readonly tuples = new TupleTable()
  readonly lanesA: Array<number> = []
  readonly lanesB: Array<number> = []
  /**
   * The live networks and slot lists lately asked for, by id modulo their
   * size: a network is read by the states that hold it, which are met close
   * together, and keeping every one would leave the garbage collector a
   * million objects to trace.
   */
  private readonly recentIds = new Int32Array(RECENT).fill(-1)
  private readonly recentNetworks = new Array<NetworkState<E<M, Req, Res>>>(RECENT)
  private readonly recentSlotIds = new Int32Array(RECENT).fill(-1)
  private readonly recentSlots = new Array<ReadonlyArray<Slot>>(RECENT)
  private readonly recentPendingA = new Uint32Array(RECENT)
  private readonly recentPendingB = new Uint32Array(RECENT)
  private readonly recentPending = new Array<NetworkState<E<M, Req, Res>> | undefined>(RECENT)
  private readonly lanes = new Uint32Array(2)
  /** Room for a fingerprint's words; stored twice at construction, as it is replaced when it grows (see `UNSET` in `tuple-table.ts`). */
  protected words: Uint32Array = new Uint32Array(0)
  /**
   * The pending network's tuple, its first `pendingLength` numbers: written
   * over by every `pend`, so that a step makes no garbage (a step's array
   * was a fifth of the search's allocation, and on two threads each
   * scavenge costs about twice the wall time it costs one: see
   * `docs/figures.md`). Copied only when the pending network is kept.
   */
  private readonly pendingTuple: Array<number> = []
  private pendingLength = 0
  private pendingKept: PendingNetwork | undefined = undefined
  pendingA = 0
  pendingB = 0

  constructor(protected readonly envelopes: Interner<E<M, Req, Res>>) {
    this.words = new Uint32Array(64)
  }

  after(network: number, removed: number, sent: ReadonlyArray<number>): number {
    this.pend(network, removed, sent)
    return this.add(this.pendingTuple, this.pendingLength, this.pendingA, this.pendingB)
  }

  pend(network: number, removed: number, sent: ReadonlyArray<number>): void {
    const length = this.successor(network, removed, sent, this.pendingTuple)
    this.fingerprintOf(this.pendingTuple, length)
    this.pendingLength = length
    this.pendingKept = undefined
    this.pendingA = this.lanes[0]!
    this.pendingB = this.lanes[1]!
  }

  pending(): PendingNetwork {
    return this.pendingKept ??= { tuple: this.pendingTuple.slice(0, this.pendingLength), a: this.pendingA, b: this.pendingB }
  }

  idOfPending(network: PendingNetwork): number {
    return this.add(network.tuple, network.tuple.length, network.a, network.b)
  }

  /**
   * Kept lately by fingerprint, as `live` keeps networks by id: a network
   * no state holds yet is made by many steps, from states that differ
   * elsewhere (about half of raft's are met again), and is read for the
   * boundary and step properties of each. The fingerprint tells networks
   * apart as the state table tells states apart; an unordered network in
   * another order than one kept has its fingerprint, and is the same
   * multiset.
   */
  liveOfPending(network: PendingNetwork): NetworkState<E<M, Req, Res>> {
    const { a, b } = network
    const at = a & (RECENT - 1)
    if (this.recentPendingA[at] !== a || this.recentPendingB[at] !== b || this.recentPending[at] === undefined) {
      this.recentPending[at] = this.liveOf(network.tuple)
      this.recentPendingA[at] = a
      this.recentPendingB[at] = b
    }
    return this.recentPending[at]!
  }

  live(network: number): NetworkState<E<M, Req, Res>> {
    const at = network & (RECENT - 1)
    if (this.recentIds[at] !== network) {
      this.recentNetworks[at] = this.liveOf(this.tuples.toArray(network))
      this.recentIds[at] = network
    }
    return this.recentNetworks[at]!
  }

  slots(network: number): ReadonlyArray<Slot> {
    const at = network & (RECENT - 1)
    if (this.recentSlotIds[at] !== network) {
      this.recentSlots[at] = this.slotsOf(this.tuples.toArray(network))
      this.recentSlotIds[at] = network
    }
    return this.recentSlots[at]!
  }

  /** The id of the tuple of the first `length` numbers of `tuple`, with its fingerprint (worked out, when not given) when it is new. */
  protected add(tuple: ReadonlyArray<number>, length = tuple.length, a?: number, b?: number): number {
    const id = this.tuples.intern(tuple, length)
    if (id < this.lanesA.length) return id
    if (a === undefined || b === undefined) {
      this.fingerprintOf(tuple, length)
      a = this.lanes[0]!
      b = this.lanes[1]!
    }
    this.lanesA.push(a)
    this.lanesB.push(b)
    return id
  }

  /** Writes the fingerprint of the tuple of the first `length` numbers of `tuple` in `lanes`. */
  private fingerprintOf(tuple: ReadonlyArray<number>, length: number): void {
    const count = this.fingerprintWords(tuple, length)
    fingerprintWordsInto(this.words, 0, count, this.lanes, 0)
  }

  /** Room for `count` words in `words`. */
  protected room(count: number): Uint32Array {
    if (this.words.length < count) this.words = new Uint32Array(2 * count)
    return this.words
  }

  /** Writes the tuple of the network after a step (see `after`) at the start of `into`, which may be longer; its length. */
  protected abstract successor(network: number, removed: number, sent: ReadonlyArray<number>, into: Array<number>): number
  /** Writes in `words` what the fingerprint of the tuple of the first `length` numbers of `tuple` hashes; how many. */
  protected abstract fingerprintWords(tuple: ReadonlyArray<number>, length: number): number
  protected abstract liveOf(tuple: ReadonlyArray<number>): NetworkState<E<M, Req, Res>>
  protected abstract slotsOf(tuple: ReadonlyArray<number>): ReadonlyArray<Slot>
}

/**
 * A multiset (or, `duplicating`, a set) as its envelope ids in the order
 * `Network` keeps them (sent last, taken out where they stood), so its slots
 * are in the same order; the fingerprint sums the envelopes' lanes, which
 * is order-free. A slot is the first index of each distinct envelope, as
 * `Network` names slots.
 */
class ListIds<M, Req, Res> extends Networks<M, Req, Res> implements NetworkIds<E<M, Req, Res>> {
  readonly deliveryRemoves: boolean

  constructor(envelopes: Interner<E<M, Req, Res>>, private readonly duplicating: boolean) {
    super(envelopes)
    this.deliveryRemoves = !duplicating
  }

  idOf(network: NetworkState<E<M, Req, Res>>): number {
    return this.add((network as ReadonlyArray<E<M, Req, Res>>).map((envelope) => this.envelopes.intern(envelope)))
  }

  head(network: number, index: number): number {
    return this.tuples.at(network, this.slots(network)[index] as number)
  }

  protected successor(network: number, removed: number, sent: ReadonlyArray<number>, ids: Array<number>): number {
    let length = this.tuples.copyInto(network, ids)
    if (removed >= 0) {
      // A set loses every copy equal to the one taken out: it holds one.
      for (let i = (this.slots(network)[removed] as number) + 1; i < length; i++) ids[i - 1] = ids[i]!
      length--
    }
    for (const envelope of sent) if (!(this.duplicating && this.indexOfEqual(ids, length, envelope) >= 0)) ids[length++] = envelope
    return length
  }

  /** Where an envelope equal to `envelope` as plain data stands among the first `length` of `ids` (ids are exact, equality structural, as `Network`'s), or -1. */
  private indexOfEqual(ids: ReadonlyArray<number>, length: number, envelope: number): number {
    const { lanesA, lanesB } = this.envelopes
    for (let i = 0; i < length; i++) {
      if (ids[i] === envelope || (lanesA[ids[i]!] === lanesA[envelope] && lanesB[ids[i]!] === lanesB[envelope])) return i
    }
    return -1
  }

  protected fingerprintWords(ids: ReadonlyArray<number>, length: number): number {
    let sumA = 0
    let sumB = 0
    for (let i = 0; i < length; i++) {
      sumA = (sumA + this.envelopes.lanesA[ids[i]!]!) | 0
      sumB = (sumB + this.envelopes.lanesB[ids[i]!]!) | 0
    }
    const words = this.room(4)
    words[0] = this.duplicating ? 2 : 1
    words[1] = sumA
    words[2] = sumB
    words[3] = length
    return 4
  }

  protected liveOf(ids: ReadonlyArray<number>): NetworkState<E<M, Req, Res>> {
    const items = ids.map((id) => this.envelopes.values[id]!)
    return this.duplicating ? SetOf.from(items) : Bag.from(items)
  }

  protected slotsOf(ids: ReadonlyArray<number>): ReadonlyArray<Slot> {
    const slots: Array<number> = []
    for (let i = 0; i < ids.length; i++) if (this.indexOfEqual(ids, ids.length, ids[i]!) === i) slots.push(i)
    return slots
  }
}

/**
 * FIFO per link: a network is the list of (link, queue) of its non-empty
 * links, links numbered in the order of their `from->to` keys, which is the
 * order `Network` lists the slots in; a queue is a tuple of envelope ids.
 */
class OrderedIds<M, Req, Res> extends Networks<M, Req, Res> implements NetworkIds<E<M, Req, Res>> {
  readonly deliveryRemoves = true
  private readonly keys: ReadonlyArray<string>
  private readonly linkOfKey: ReadonlyMap<string, number>
  private readonly queues = new TupleTable()
  private readonly queueItems: Array<ReadonlyArray<E<M, Req, Res>> | undefined> = []
  private readonly queueLanes: Array<number> = []
  private readonly links: Array<number> = []
  /** A queue's id once its head is taken, plus one (0: empty), by the queue's id; and a queue's once an envelope is appended, by the queue's id plus one (0: empty) and the envelope's. */
  private readonly popped = new PairMap()
  private readonly pushed = new PairMap()

  constructor(envelopes: Interner<E<M, Req, Res>>, addresses: ReadonlyArray<string>) {
    super(envelopes)
    this.keys = addresses.flatMap((from) => addresses.map((to) => `${from}->${to}`)).sort()
    this.linkOfKey = new Map(this.keys.map((key, link) => [key, link]))
  }

  idOf(network: NetworkState<E<M, Req, Res>>): number {
    const pairs: Array<number> = []
    const links = network as Readonly<Record<string, ReadonlyArray<E<M, Req, Res>>>>
    for (const key of Object.keys(links).sort()) {
      pairs.push(this.linkOfKey.get(key)!, this.queue(links[key]!.map((envelope) => this.envelopes.intern(envelope))))
    }
    return this.add(pairs)
  }

  head(network: number, index: number): number {
    return this.queues.at(this.tuples.at(network, 2 * index + 1), 0)
  }

  protected successor(network: number, removed: number, sent: ReadonlyArray<number>, pairs: Array<number>): number {
    let length = this.tuples.copyInto(network, pairs)
    if (removed >= 0) {
      const rest = this.withoutHead(pairs[2 * removed + 1]!)
      if (rest >= 0) pairs[2 * removed + 1] = rest
      else {
        for (let i = 2 * removed + 2; i < length; i++) pairs[i - 2] = pairs[i]!
        length -= 2
      }
    }
    for (const envelope of sent) {
      const link = this.linkOf(envelope)
      let at = 0
      while (at < length && pairs[at]! < link) at += 2
      if (at < length && pairs[at] === link) pairs[at + 1] = this.withAppended(pairs[at + 1]!, envelope)
      else {
        // Grown at its end first, so that the array has no holes.
        while (pairs.length < length + 2) pairs.push(0)
        for (let i = length - 1; i >= at; i--) pairs[i + 2] = pairs[i]!
        pairs[at] = link
        pairs[at + 1] = this.withAppended(-1, envelope)
        length += 2
      }
    }
    return length
  }

  /** Queue `queue` without its head: its id, or -1 when that leaves it empty. */
  private withoutHead(queue: number): number {
    const known = this.popped.get(queue, 0)
    if (known >= 0) return known - 1
    const rest = this.queues.toArray(queue).slice(1)
    const id = rest.length === 0 ? -1 : this.queue(rest)
    this.popped.set(queue, 0, id + 1)
    return id
  }

  /** Queue `queue` (-1: empty) with `envelope` appended. */
  private withAppended(queue: number, envelope: number): number {
    const known = this.pushed.get(queue + 1, envelope)
    if (known >= 0) return known
    const id = this.queue(queue < 0 ? [envelope] : [...this.queues.toArray(queue), envelope])
    this.pushed.set(queue + 1, envelope, id)
    return id
  }

  private linkOf(envelope: number): number {
    let link = this.links[envelope]
    if (link === undefined) {
      const { from, to } = this.envelopes.values[envelope]!
      link = this.linkOfKey.get(`${from}->${to}`)!
      this.links[envelope] = link
    }
    return link
  }

  private queue(ids: ReadonlyArray<number>): number {
    const id = this.queues.intern(ids)
    if (2 * id < this.queueLanes.length) return id
    const words = this.room(2 * ids.length)
    ids.forEach((envelope, i) => {
      words[2 * i] = this.envelopes.lanesA[envelope]!
      words[2 * i + 1] = this.envelopes.lanesB[envelope]!
    })
    const lanes = new Uint32Array(2)
    fingerprintWordsInto(words, 0, 2 * ids.length, lanes, 0)
    this.queueLanes.push(lanes[0]!, lanes[1]!)
    return id
  }

  private itemsOf(queue: number): ReadonlyArray<E<M, Req, Res>> {
    return this.queueItems[queue] ??
      (this.queueItems[queue] = withFingerprintMemo(this.queues.toArray(queue).map((envelope) => this.envelopes.values[envelope]!)))
  }

  protected fingerprintWords(pairs: ReadonlyArray<number>, length: number): number {
    const count = 1 + (3 * length) / 2
    const words = this.room(count)
    words[0] = 3
    for (let i = 0, at = 1; i < length; i += 2, at += 3) {
      const queue = pairs[i + 1]!
      words[at] = pairs[i]!
      words[at + 1] = this.queueLanes[2 * queue]!
      words[at + 2] = this.queueLanes[2 * queue + 1]!
    }
    return count
  }

  protected liveOf(pairs: ReadonlyArray<number>): NetworkState<E<M, Req, Res>> {
    const network: Record<string, ReadonlyArray<E<M, Req, Res>>> = {}
    for (let i = 0; i < pairs.length; i += 2) network[this.keys[pairs[i]!]!] = this.itemsOf(pairs[i + 1]!)
    return network
  }

  protected slotsOf(pairs: ReadonlyArray<number>): ReadonlyArray<Slot> {
    const slots: Array<string> = []
    for (let i = 0; i < pairs.length; i += 2) slots.push(this.keys[pairs[i]!]!)
    return slots
  }
}
