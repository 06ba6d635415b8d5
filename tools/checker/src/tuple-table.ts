/**
 * Small on purpose: a table grows a few times among the first tuples it
 * stores, while its code still runs unoptimised, so the growing is part of
 * what V8 has seen when it optimises the hot loop, rather than a path never
 * taken that throws the optimised code away the first time it is.
 */
const INITIAL_CAPACITY = 1 << 4

/**
 * What a growable buffer field holds until its constructor stores the real
 * one. V8 compiles code that reads a field stored only once as reading a
 * constant, and throws all that code away (then compiles it again) the
 * first time the field changes, as these do when a table grows: storing
 * each twice at construction spares every thread of a search those
 * recompiles of its hot loop.
 */
export const UNSET: Int32Array<ArrayBuffer> = new Int32Array(0)

/** A 32-bit hash of a tuple of integers; a pair hashes as the tuple of its two. */
const mix = (h: number, k: number): number => {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

const mixB = (h: number, k: number): number => {
  k = Math.imul(k, 0x85ebca77)
  k = (k << 17) | (k >>> 15)
  h ^= Math.imul(k, 0xc2b2ae3d)
  h = (h << 11) | (h >>> 21)
  return (Math.imul(h, 9) + 0x52dce729) | 0
}

const finish = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h ^ (h >>> 16)
}

/**
 * Ids for tuples of small integers (ids of other values): equal tuples get
 * one id, and a tuple is found by a 64-bit hash of its parts, as the state
 * table finds a state (so two tuples share an id only if their 64-bit
 * hashes collide, as likely as two states sharing a fingerprint). Cheaper
 * than structural hashing because a tuple's parts are already canonical;
 * one probe reads one bucket holding the hash and the id. The tuples lie end
 * to end in one typed array and the index is open addressing, not a Map:
 * the checker's hot loop asks it once a step, and a million small arrays
 * would cost the garbage collector more than the lookups.
 */
export class TupleTable {
  private data = UNSET
  /** Where tuple `id` starts in `data`; it ends where `id + 1` starts. */
  private starts = UNSET
  /** Per bucket, the two lanes of a tuple's hash and its id plus one (0 when empty). */
  private buckets = UNSET
  private count = 0

  constructor() {
    this.data = new Int32Array(4 * INITIAL_CAPACITY)
    this.starts = new Int32Array(INITIAL_CAPACITY + 1)
    this.buckets = new Int32Array(3 * INITIAL_CAPACITY)
  }

  get size(): number {
    return this.count
  }

  /** Bytes of the table's arrays. */
  get bytes(): number {
    return this.data.byteLength + this.starts.byteLength + this.buckets.byteLength
  }

  length(id: number): number {
    return this.starts[id + 1]! - this.starts[id]!
  }

  at(id: number, index: number): number {
    return this.data[this.starts[id]! + index]!
  }

  /** A copy of tuple `id`, for the caller to change. */
  toArray(id: number): Array<number> {
    const start = this.starts[id]!
    const copy = new Array<number>(this.starts[id + 1]! - start)
    for (let i = 0; i < copy.length; i++) copy[i] = this.data[start + i]!
    return copy
  }

  /** Writes tuple `id` at the start of `out`, which may be longer; its length. */
  copyInto(id: number, out: Array<number>): number {
    const start = this.starts[id]!
    const length = this.starts[id + 1]! - start
    for (let i = 0; i < length; i++) out[i] = this.data[start + i]!
    return length
  }

  /** The id of the tuple of the first `n` numbers of `tuple`. */
  intern(tuple: ReadonlyArray<number>, n = tuple.length): number {
    let a = n
    let b = ~n
    for (let i = 0; i < n; i++) {
      a = mix(a, tuple[i]!)
      b = mixB(b, tuple[i]!)
    }
    a = finish(a)
    b = finish(b ^ 0x2c1b3c6d)
    const { buckets } = this
    const mask = buckets.length / 3 - 1
    for (let at = a & mask; ; at = (at + 1) & mask) {
      const found = buckets[3 * at + 2]!
      if (found === 0) {
        buckets[3 * at] = a
        buckets[3 * at + 1] = b
        buckets[3 * at + 2] = this.add(tuple, n) + 1
        if (2 * 3 * this.count > buckets.length) this.grow()
        return this.count - 1
      }
      if (buckets[3 * at] === a && buckets[3 * at + 1] === b) return found - 1
    }
  }

  private add(tuple: ReadonlyArray<number>, n: number): number {
    const id = this.count++
    if (this.count >= this.starts.length) this.starts = grown(this.starts, 2 * this.starts.length)
    const start = this.starts[id]!
    if (start + n > this.data.length) this.data = grown(this.data, 2 * (start + n))
    for (let i = 0; i < n; i++) this.data[start + i] = tuple[i]!
    this.starts[id + 1] = start + n
    return id
  }

  private grow(): void {
    const old = this.buckets
    const buckets = new Int32Array(old.length * 2)
    const mask = buckets.length / 3 - 1
    for (let from = 0; from < old.length; from += 3) {
      if (old[from + 2] === 0) continue
      let at = old[from]! & mask
      while (buckets[3 * at + 2] !== 0) at = (at + 1) & mask
      buckets[3 * at] = old[from]!
      buckets[3 * at + 1] = old[from + 1]!
      buckets[3 * at + 2] = old[from + 2]!
    }
    this.buckets = buckets
  }
}

const grown = (array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> => {
  const copy = new Int32Array(length)
  copy.set(array)
  return copy
}

/**
 * A map from pairs of non-negative 31-bit integers to non-negative
 * integers, as an open-addressing table of three words a pair: the step
 * caches (a slot and an event, a network and what a step sent).
 */
export class PairMap {
  /** See `UNSET`. */
  private entries = UNSET
  private count = 0

  constructor() {
    this.entries = new Int32Array(3 * INITIAL_CAPACITY).fill(-1)
  }

  get size(): number {
    return this.count
  }

  /** The value of `(a, b)`, or -1. */
  get(a: number, b: number): number {
    const { entries } = this
    const mask = entries.length / 3 - 1
    for (let at = finish(mix(mix(2, a), b)) & mask; ; at = (at + 1) & mask) {
      const key = entries[3 * at]!
      if (key === -1) return -1
      if (key === a && entries[3 * at + 1] === b) return entries[3 * at + 2]!
    }
  }

  set(a: number, b: number, value: number): void {
    this.put(this.entries, a, b, value)
    if (3 * 2 * ++this.count > this.entries.length) {
      const old = this.entries
      this.entries = new Int32Array(old.length * 2).fill(-1)
      for (let at = 0; at < old.length; at += 3) if (old[at] !== -1) this.put(this.entries, old[at]!, old[at + 1]!, old[at + 2]!)
    }
  }

  private put(entries: Int32Array, a: number, b: number, value: number): void {
    const mask = entries.length / 3 - 1
    let at = finish(mix(mix(2, a), b)) & mask
    while (entries[3 * at] !== -1 && !(entries[3 * at] === a && entries[3 * at + 1] === b)) at = (at + 1) & mask
    entries[3 * at] = a
    entries[3 * at + 1] = b
    entries[3 * at + 2] = value
  }
}
