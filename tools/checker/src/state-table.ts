/**
 * The checker's memory of what it has seen: each distinct state as its 64-bit
 * fingerprint (two 32-bit lanes), the state it was first reached from and the
 * index of the action that reached it. States themselves are not kept; a
 * counterexample is rebuilt by replaying the actions along the parent links.
 *
 * Everything lives in growable `SharedArrayBuffer`s, so worker threads share
 * one table: sixteen bytes a state in three arrays indexed by state id (grown
 * in place by an eighth at a time; the fingerprint's two lanes side by side,
 * so checking one costs one read of memory, not two), plus an
 * open-addressing index of 4-byte slots kept at most five-eighths full. A
 * slot holds the id and three bits of the fingerprint, so a probe that meets
 * another state reads the id arrays only one time in eight: on a large table
 * every such read is a miss of the cache, and on several threads, often of a
 * line another core has just written. Inserting is lock-free: a slot is claimed
 * with a compare-and-swap, then the id is allocated and published. Each
 * thread allocates ids from a chunk of its own, so two threads never write
 * the same cache line of the id arrays; a chunk's unused ids are holes (a
 * zero parent word) that rehashing skips.
 * Rehashing the index is not: it needs every other thread stopped (see
 * `crowded` and `rehash`).
 */
import type { Path } from "./path.ts"

const EMPTY = 0
/** A slot claimed by an insert that has not yet published its id. */
const RESERVED = -1
const NO_PARENT = -1
/** Parent words hold the parent id + 2: a root's is 1, and 0 marks an id never used. */
const PARENT_BIAS = 2
const HOLE = 0
const CHUNK = 1024
const INITIAL_SLOTS = 1 << 16
/** Room a thread may still fill after it finds the id arrays nearly full, before they grow. */
const ID_HEADROOM = 1 << 14
/** Ids stay below this, so that an id plus one fits in a slot's low 28 bits beside its tag. */
const MAX_STATES = 1 << 28
const ID_BITS = 0x0fffffff
const TAG_SHIFT = 28
/** Words of an entry of a thread's memory of recent fingerprints: see `StateTable.recent`. */
const RECENT_WIDTH = 3

/** Where the entry of fingerprint `(a, b)` starts in `recent`, whose entries are a power of two. */
const recentEntry = (recent: Int32Array, a: number, b: number): number =>
  RECENT_WIDTH * ((a ^ Math.imul(b, 0x85ebca6b)) & (recent.length / RECENT_WIDTH - 1))

/** `counters` fields: distinct states (updated a chunk at a time), ids handed out in chunks, and how often the index was rebuilt. */
const SIZE = 0
const NEXT_ID = 1
const REHASHES = 2

export interface SavedTable {
  readonly laneA: Uint32Array
  readonly laneB: Uint32Array
  readonly parents: Int32Array
  readonly actions: Int32Array
  readonly size: number
}

/** What a worker needs to attach to the same table. */
export interface StateTableBuffers {
  /** Both lanes of each id's fingerprint, side by side. */
  readonly lanes: SharedArrayBuffer
  readonly parents: SharedArrayBuffer
  readonly actions: SharedArrayBuffer
  readonly slots: SharedArrayBuffer
  readonly counters: SharedArrayBuffer
}

const growable = (bytes: number, maxBytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes, { maxByteLength: maxBytes })

export class StateTable {
  readonly buffers: StateTableBuffers
  /*
   * Views of fixed length, made anew when the buffers grow (V8 reads and
   * writes through them much faster than through views that track a
   * growable buffer): the id arrays when an id lies beyond them, the index
   * when `REHASHES` moves on.
   */
  /** Lane A of id `i` at `2 * i`, lane B after it. */
  private lanes: Uint32Array = new Uint32Array(0)
  /** How many ids the views cover. */
  private idsViewed = 0
  private parents: Int32Array = new Int32Array(0)
  private actions: Int32Array = new Int32Array(0)
  /** Slot → state id + 1, with the fingerprint's tag in the bits above (see `slotValue`); zero marks an empty slot. */
  private slots: Int32Array = new Int32Array(0)
  private rehashesSeen = 0
  private readonly counters: Int32Array
  /** This thread's chunk of ids, and the states it stored that `SIZE` does not count yet. */
  private chunkNext = 0
  private chunkEnd = 0
  private uncounted = 0

  /**
   * A thread's own direct-mapped memory of fingerprints it met lately, for
   * a table shared between threads: most duplicates a thread meets are of
   * states it stored itself moments ago, and finding them here spares a read
   * of index lines the other cores keep writing.
   */
  private readonly recent: Int32Array | undefined

  constructor(buffers?: StateTableBuffers, recentEntries = 1 << 16) {
    // Per entry, the two lanes (as signed words) and the id, side by side: one cache line read, not three.
    this.recent = recentEntries > 0
      ? new Int32Array(RECENT_WIDTH * recentEntries).fill(-1)
      : undefined
    this.buffers = buffers ?? {
      lanes: growable(INITIAL_SLOTS * 4, MAX_STATES * 8),
      parents: growable(INITIAL_SLOTS * 2, MAX_STATES * 4),
      actions: growable(INITIAL_SLOTS * 2, MAX_STATES * 4),
      slots: growable(INITIAL_SLOTS * 4, MAX_STATES * 8),
      counters: new SharedArrayBuffer(16)
    }
    this.counters = new Int32Array(this.buffers.counters)
    this.viewIds()
    this.viewSlots()
  }

  private viewIds(): void {
    const { lanes, parents, actions } = this.buffers
    // The three grow one after another; a view as long as the shortest is safe while another thread is between them.
    const length = Math.min(lanes.byteLength / 8, parents.byteLength / 4, actions.byteLength / 4)
    this.idsViewed = length
    this.lanes = new Uint32Array(lanes, 0, 2 * length)
    this.parents = new Int32Array(parents, 0, length)
    this.actions = new Int32Array(actions, 0, length)
  }

  private viewSlots(): void {
    this.rehashesSeen = Atomics.load(this.counters, REHASHES)
    this.slots = new Int32Array(this.buffers.slots, 0, this.buffers.slots.byteLength / 4)
  }

  /** Views covering every id handed out so far, for reading another thread's states. */
  private covering(id: number): void {
    if (id >= this.idsViewed) this.viewIds()
  }

  /** Distinct states: exact on one thread; with several, exact once each has called `flush`. */
  get size(): number {
    return Atomics.load(this.counters, SIZE) + this.uncounted
  }

  /** Ids handed out, holes included: every id is below this. */
  get idsHandedOut(): number {
    return Atomics.load(this.counters, NEXT_ID)
  }

  /** Counts this thread's new states in the shared size. */
  flush(): void {
    if (this.uncounted === 0) return
    Atomics.add(this.counters, SIZE, this.uncounted)
    this.uncounted = 0
  }

  /**
   * Stores the fingerprint `(a, b)` unless it is already present. Returns the
   * new state's id, or, when it was seen before, the bitwise complement
   * (`~id`, always negative) of the id it has. A root (an initial state) has
   * no parent and records its index in `model.init()` as its action.
   */
  insert(a: number, b: number, parent: number, action: number): number {
    const recent = this.recent
    if (recent === undefined) return this.insertShared(a, b, parent, action)
    const at = recentEntry(recent, a, b)
    if (recent[at] === (a | 0) && recent[at + 1] === (b | 0) && recent[at + 2]! >= 0) return ~recent[at + 2]!
    const result = this.insertShared(a, b, parent, action)
    recent[at] = a
    recent[at + 1] = b
    recent[at + 2] = result < 0 ? ~result : result
    return result
  }

  /**
   * The id of the fingerprint `(a, b)` if it is stored, or -1. A state
   * another thread is storing at this moment may be missed; never a stored
   * one claimed.
   */
  find(a: number, b: number): number {
    const recent = this.recent
    if (recent !== undefined) {
      const at = recentEntry(recent, a, b)
      if (recent[at] === (a | 0) && recent[at + 1] === (b | 0) && recent[at + 2]! >= 0) return recent[at + 2]!
    }
    if (Atomics.load(this.counters, REHASHES) !== this.rehashesSeen) this.viewSlots()
    const slots = this.slots
    const mask = slots.length - 1
    const tag = tagOf(a)
    for (let slot = slotOf(a, b) & mask, probes = 0; probes <= mask; probes++, slot = (slot + 1) & mask) {
      const probe = Atomics.load(slots, slot)
      if (probe === EMPTY || probe === RESERVED) return -1
      if ((probe & ~ID_BITS) !== tag) continue
      const id = (probe & ID_BITS) - 1
      if (this.holds(id, a, b)) return id
    }
    return -1
  }

  private insertShared(a: number, b: number, parent: number, action: number): number {
    if (Atomics.load(this.counters, REHASHES) !== this.rehashesSeen) this.viewSlots()
    const slots = this.slots
    const mask = slots.length - 1
    const tag = tagOf(a)
    let slot = slotOf(a, b) & mask
    for (let probes = 0; probes <= mask; probes++) {
      let probe = Atomics.load(slots, slot)
      if (probe === EMPTY) {
        if (Atomics.compareExchange(slots, slot, EMPTY, RESERVED) === EMPTY) return this.publish(slot, a, b, parent, action)
        probe = Atomics.load(slots, slot)
      }
      while (probe === RESERVED) probe = Atomics.load(slots, slot)
      if ((probe & ~ID_BITS) === tag && this.holds((probe & ID_BITS) - 1, a, b)) return ~((probe & ID_BITS) - 1)
      slot = (slot + 1) & mask
    }
    throw new RangeError(`the state table's index is full at ${this.size} states: it was not rehashed when crowded`)
  }

  /** Whether id `id` is the fingerprint `(a, b)`. */
  private holds(id: number, a: number, b: number): boolean {
    this.covering(id)
    return this.lanes[2 * id] === a >>> 0 && this.lanes[2 * id + 1] === b >>> 0
  }

  /**
   * Whether the index is five-eighths full: time to `rehash`, with every
   * other thread stopped. Fuller, linear probing slows; emptier, the index
   * costs more bytes a state than the states themselves.
   */
  get crowded(): boolean {
    if (Atomics.load(this.counters, REHASHES) !== this.rehashesSeen) this.viewSlots()
    return this.idsHandedOut * 8 >= this.slots.length * 5
  }

  /** Doubles the index and re-inserts every state. Only while no other thread touches the table. */
  rehash(): void {
    const capacity = this.slots.length * 2
    if (capacity * 4 > this.buffers.slots.maxByteLength) throw new RangeError(`the state table is full: ${this.size} states`)
    this.buffers.slots.grow(capacity * 4)
    this.viewSlots()
    this.reindex()
    Atomics.add(this.counters, REHASHES, 1)
    this.rehashesSeen++
  }

  /** The id arrays up to the last id handed out (holes included), for a checkpoint. */
  saved(): SavedTable {
    const end = this.idsHandedOut
    this.covering(end - 1)
    const laneA = new Uint32Array(end)
    const laneB = new Uint32Array(end)
    for (let id = 0; id < end; id++) {
      laneA[id] = this.lanes[2 * id]!
      laneB[id] = this.lanes[2 * id + 1]!
    }
    return {
      laneA,
      laneB,
      parents: this.parents.slice(0, end),
      actions: this.actions.slice(0, end),
      size: this.size
    }
  }

  /** A table holding what `saved` returned, its index rebuilt. */
  static restored(saved: SavedTable): StateTable {
    const table = new StateTable()
    const end = saved.laneA.length
    table.growIds(end)
    table.viewIds()
    for (let id = 0; id < end; id++) {
      table.lanes[2 * id] = saved.laneA[id]!
      table.lanes[2 * id + 1] = saved.laneB[id]!
    }
    table.parents.set(saved.parents)
    table.actions.set(saved.actions)
    Atomics.store(table.counters, NEXT_ID, end)
    Atomics.store(table.counters, SIZE, saved.size)
    table.chunkNext = table.chunkEnd = end
    while (table.crowded) {
      table.buffers.slots.grow(table.slots.length * 8)
      table.viewSlots()
    }
    table.reindex()
    return table
  }

  private reindex(): void {
    this.viewIds()
    const slots = this.slots
    slots.fill(EMPTY)
    const mask = slots.length - 1
    for (let id = 0, end = this.idsHandedOut; id < end; id++) {
      if (this.parents[id] === HOLE) continue
      const a = this.lanes[2 * id]!
      let slot = slotOf(a, this.lanes[2 * id + 1]!) & mask
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask
      slots[slot] = slotValue(id, a)
    }
  }

  /** Records a shorter way to reach a state already stored. */
  reparent(id: number, parent: number, action: number): void {
    this.parents[id] = parent + PARENT_BIAS
    this.actions[id] = action
  }

  parentOf(id: number): number {
    this.covering(id)
    return this.parents[id]! - PARENT_BIAS
  }

  actionOf(id: number): number {
    this.covering(id)
    return this.actions[id]!
  }

  isRoot(id: number): boolean {
    this.covering(id)
    return this.parents[id] === NO_PARENT + PARENT_BIAS
  }

  /** The action indices from a root to `id`, and the root's index among the initial states. */
  pathTo(id: number): Path {
    const actionIndices: Array<number> = []
    let current = id
    while (!this.isRoot(current)) {
      actionIndices.push(this.actionOf(current))
      current = this.parentOf(current)
    }
    actionIndices.reverse()
    return { initIndex: this.actionOf(current), actionIndices }
  }

  /** Bytes the table holds, for the benchmark's bytes-per-state figure. */
  get bytes(): number {
    const b = this.buffers
    return b.lanes.byteLength + b.parents.byteLength + b.actions.byteLength + b.slots.byteLength
  }

  private publish(slot: number, a: number, b: number, parent: number, action: number): number {
    if (this.chunkNext === this.chunkEnd) this.takeChunk()
    const id = this.chunkNext++
    this.uncounted++
    this.lanes[2 * id] = a
    this.lanes[2 * id + 1] = b
    this.parents[id] = parent + PARENT_BIAS
    this.actions[id] = action
    Atomics.store(this.slots, slot, slotValue(id, a))
    return id
  }

  private takeChunk(): void {
    this.flush()
    const start = Atomics.add(this.counters, NEXT_ID, CHUNK)
    if (start + CHUNK >= MAX_STATES) throw new RangeError(`the state table is full: ${MAX_STATES} states`)
    if (start + CHUNK + ID_HEADROOM >= this.idsViewed) this.growIds(start + CHUNK)
    this.covering(start + CHUNK - 1)
    this.chunkNext = start
    this.chunkEnd = start + CHUNK
  }

  /** Grows the id arrays in place by an eighth (growing in place copies nothing); another thread may have grown them already. */
  private growIds(id: number): void {
    const wanted = Math.min(MAX_STATES, Math.max(Math.ceil(this.idsViewed * 1.125), id + 2 * ID_HEADROOM)) * 4
    for (const [buffer, bytes] of [[this.buffers.lanes, 2 * wanted], [this.buffers.parents, wanted], [this.buffers.actions, wanted]] as const) {
      if (buffer.byteLength >= bytes) continue
      try {
        buffer.grow(bytes)
      } catch {
        // Another thread grew it past `wanted` between the check and the call.
      }
    }
  }
}

/** Both lanes are already well mixed; folding them keeps slots spread even if one lane collides. */
const slotOf = (a: number, b: number): number => a ^ Math.imul(b, 0x9e3779b1)

/** Three bits of lane A, its top ones (the slot is chosen by the low bits of the mix), in the place they take in a slot. */
const tagOf = (a: number): number => ((a >>> 29) << TAG_SHIFT)

/** What a slot holds for id `id` of lane A `a`: the id plus one, and the tag above it. */
const slotValue = (id: number, a: number): number => tagOf(a) | (id + 1)
