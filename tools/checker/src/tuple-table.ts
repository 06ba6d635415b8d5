const INITIAL_CAPACITY = 1 << 12

/** A 32-bit hash of a tuple of integers; a pair hashes as the tuple of its two. */
const mix = (h: number, k: number): number => {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  h ^= Math.imul(k, 0x1b873593)
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

const finish = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h ^ (h >>> 16)
}

/**
 * Ids for tuples of small integers (ids of other values), exact: equal
 * tuples get one id and unequal ones different ids, by comparing the
 * tuples themselves. Cheaper than structural hashing because a tuple's
 * parts are already canonical; an open-addressing table of ids, not a Map,
 * because the checker's hot loop asks it once or twice a step.
 */
export class TupleTable {
  readonly tuples: Array<ReadonlyArray<number>> = []
  private readonly hashes: Array<number> = []
  /** Each bucket holds an id plus one, or 0 when empty. */
  private buckets = new Int32Array(INITIAL_CAPACITY)

  get size(): number {
    return this.tuples.length
  }

  /** The id of `tuple`, which the table keeps when it is new: the caller must not change it after. */
  intern(tuple: ReadonlyArray<number>): number {
    let h = tuple.length
    for (let i = 0; i < tuple.length; i++) h = mix(h, tuple[i]!)
    h = finish(h)
    const mask = this.buckets.length - 1
    for (let at = h & mask; ; at = (at + 1) & mask) {
      const found = this.buckets[at]! - 1
      if (found < 0) {
        const id = this.tuples.length
        this.tuples.push(tuple)
        this.hashes.push(h)
        this.buckets[at] = id + 1
        if (2 * this.tuples.length > this.buckets.length) this.grow()
        return id
      }
      if (this.hashes[found] === h && sameTuple(this.tuples[found]!, tuple)) return found
    }
  }

  private grow(): void {
    const buckets = new Int32Array(this.buckets.length * 2)
    const mask = buckets.length - 1
    for (let id = 0; id < this.tuples.length; id++) {
      let at = this.hashes[id]! & mask
      while (buckets[at] !== 0) at = (at + 1) & mask
      buckets[at] = id + 1
    }
    this.buckets = buckets
  }
}

/**
 * A map from pairs of non-negative 31-bit integers to non-negative
 * integers, as an open-addressing table of three words a pair: the step
 * caches (a slot and an event, a network and what a step sent).
 */
export class PairMap {
  private entries = new Int32Array(3 * INITIAL_CAPACITY).fill(-1)
  private count = 0

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

const sameTuple = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
