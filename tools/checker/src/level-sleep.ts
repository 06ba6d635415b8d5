/**
 * The sleep sets of one BFS level's states, by state id, in flat typed
 * arrays rather than a map of arrays: a search writes one for nearly every
 * state it stores and reads it once, and a map entry and an array each cost
 * more than the steps a sleep set saves. The ids one thread stores while it
 * expands a level are all at least the table's size when it began that
 * level (`base`), so an id's place is its distance from `base`; an id
 * another thread stored, or one from before, reads as no sleep set.
 */
export class LevelSleep {
  private base = 0
  /** Per id from `base`, one plus where its sleep set starts in `pool`; 0 for none. */
  private starts: Int32Array = new Int32Array(1024)
  private highest = -1
  /** Each sleep set as its length, then its keys. */
  private pool: Float64Array = new Float64Array(4096)
  private used = 0

  /** Empties it for the level whose ids start at `base`. */
  reset(base: number): void {
    if (this.highest >= 0) this.starts.fill(0, 0, this.highest + 1)
    this.highest = -1
    this.used = 0
    this.base = base
  }

  /** Keeps the first `count` of `keys` as the sleep set of state `id`, which this thread stored. */
  store(id: number, keys: ReadonlyArray<number>, count: number): void {
    const at = id - this.base
    if (at < 0) return
    if (at >= this.starts.length) this.starts = grownInts(this.starts, at + 1)
    if (this.used + count + 1 > this.pool.length) this.pool = grownNumbers(this.pool, this.used + count + 1)
    this.pool[this.used] = count
    for (let k = 0; k < count; k++) this.pool[this.used + 1 + k] = keys[k]!
    this.starts[at] = this.used + 1
    if (at > this.highest) this.highest = at
    this.used += count + 1
  }

  /** Where the keys of state `id`'s sleep set start (read them with `keyAt`, `lengthAt` of this many), or -1 when it has none. */
  find(id: number): number {
    const at = id - this.base
    if (at < 0 || at >= this.starts.length || this.starts[at] === 0) return -1
    return this.starts[at]!
  }

  lengthAt(first: number): number {
    return this.pool[first - 1]!
  }

  keyAt(index: number): number {
    return this.pool[index]!
  }
}

const grownInts = (array: Int32Array, needed: number): Int32Array => {
  const larger = new Int32Array(Math.max(needed, 2 * array.length))
  larger.set(array)
  return larger
}

const grownNumbers = (array: Float64Array, needed: number): Float64Array => {
  const larger = new Float64Array(Math.max(needed, 2 * array.length))
  larger.set(array)
  return larger
}
