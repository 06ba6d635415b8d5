import { equals, fingerprintInto } from "@parley/core/model"

/** 2^21: the fingerprint's second lane contributes this many values to a key, so a key stays a safe integer. */
const LANE_B_RANGE = 0x200000

/**
 * Hash-consing of plain immutable values: each value structurally distinct
 * from the others seen gets the next id, and `values[id]` is the one copy
 * every state that holds an equal value shares. Values are found by their
 * fingerprint (see `fingerprintInto`, memoised on frozen values) and
 * confirmed by `equals`, so two distinct values never share an id, whatever
 * their fingerprints; the fingerprint of each id is kept for hashing the
 * states made of them.
 *
 * One thread's ids mean nothing in another thread: they are given in the
 * order this thread meets values.
 */
export class Interner<T> {
  readonly values: Array<T> = []
  /** The two 32-bit lanes of each id's fingerprint. */
  readonly lanesA: Array<number> = []
  readonly lanesB: Array<number> = []
  private readonly ids = new Map<number, number>()
  private readonly lanes = new Uint32Array(2)

  get size(): number {
    return this.values.length
  }

  /** The id of `value`: of an equal value met before, or a new one. */
  intern(value: T): number {
    fingerprintInto(value, this.lanes, 0)
    const a = this.lanes[0]!
    const b = this.lanes[1]!
    // Keys are probed onwards from the fingerprint's: a key taken by another value (53 bits of 64 alike, or a true collision) moves on.
    for (let key = a * LANE_B_RANGE + (b & (LANE_B_RANGE - 1)); ; key++) {
      const found = this.ids.get(key)
      if (found === undefined) return this.add(key, value, a, b)
      if (this.lanesA[found] === a && this.lanesB[found] === b && (this.values[found] === value || equals(this.values[found], value))) return found
    }
  }

  private add(key: number, value: T, a: number, b: number): number {
    const id = this.values.length
    this.ids.set(key, id)
    this.values.push(value)
    this.lanesA.push(a)
    this.lanesB.push(b)
    return id
  }
}
