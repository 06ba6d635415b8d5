import { fingerprintInto } from "@parley/core/model"

/**
 * Hash-consing of plain immutable values: each value gets an id, and
 * `values[id]` is the one copy every state that holds it shares, with the
 * id's structural fingerprint (see `fingerprintInto`, memoised on frozen
 * values) kept for hashing the states made of them.
 *
 * Ids are exact, not structural: two values get one id only when they are
 * the same down to the order of their keys and of their unordered
 * collections (their JSON), and their fingerprints agree. Values equal as
 * plain data but written in another order get ids of their own, with equal
 * fingerprints, so a state is still one state; but the value a state gives
 * back is the very one it was built with, so a step taken from it (whose
 * outputs may follow the order of a set in it, or of its timers) is the
 * step the search took before ids existed, and a search meets its states
 * in the same order.
 *
 * One thread's ids mean nothing in another thread: they are given in the
 * order this thread meets values.
 */
export class Interner<T> {
  readonly values: Array<T> = []
  /** The two 32-bit lanes of each id's fingerprint. */
  readonly lanesA: Array<number> = []
  readonly lanesB: Array<number> = []
  private readonly ids = new Map<string, number>()
  private readonly lanes = new Uint32Array(2)

  get size(): number {
    return this.values.length
  }

  /** The id of `value`: of the same value met before, or a new one. */
  intern(value: T): number {
    fingerprintInto(value, this.lanes, 0)
    const a = this.lanes[0]!
    const b = this.lanes[1]!
    // JSON writes NaN and null alike; the fingerprint tells them apart.
    const key = `${a} ${b} ${JSON.stringify(value)}`
    const found = this.ids.get(key)
    if (found !== undefined) return found
    const id = this.values.length
    this.ids.set(key, id)
    this.values.push(value)
    this.lanesA.push(a)
    this.lanesB.push(b)
    return id
  }
}
