import { SetOf, withFingerprintMemo } from "@parley/core/model"
import type { RM, RMState } from "./state.ts"

export const RMStates: ReadonlyArray<RMState> = ["working", "prepared", "committed", "aborted"]

/** Interning every `rmState` costs one record per combination: 4^N of them. */
export const MaxInternedRMs = 10

/**
 * The `rmState` records one model builds, interned by a base-4 code (digit
 * `i` is RM `i`'s state), for the same reasons as `SetInterner`: a step
 * allocates no record, and the checker hashes each record once. A record
 * built elsewhere (a test's, one with an RM too many) is copied instead.
 */
export class RMStateInterner {
  private readonly byCode = new Map<number, Readonly<Record<RM, RMState>>>()
  private readonly codes = new WeakMap<object, number>()

  constructor(private readonly RMs: ReadonlyArray<RM>) {}

  of(code: number): Readonly<Record<RM, RMState>> {
    const known = this.byCode.get(code)
    if (known !== undefined) return known
    const record: Record<RM, RMState> = {}
    let rest = code
    for (const rm of this.RMs) {
      record[rm] = RMStates[rest & 3]!
      rest >>>= 2
    }
    const interned = withFingerprintMemo(record)
    this.byCode.set(code, interned)
    this.codes.set(interned, code)
    return interned
  }

  /** The record's code, or undefined for a record this interner did not build. */
  codeOf(record: Readonly<Record<RM, RMState>>): number | undefined {
    return this.codes.get(record)
  }

  /** The code of a record built elsewhere, or undefined when it is not a record of these RMs' states. */
  codeOfValues(record: Readonly<Record<RM, RMState>>): number | undefined {
    let code = 0
    let keys = 0
    for (const _ in record) keys++
    if (keys !== this.RMs.length) return undefined
    for (let i = 0; i < this.RMs.length; i++) {
      const digit = RMStates.indexOf(record[this.RMs[i]!]!)
      if (digit < 0) return undefined
      code |= digit << (2 * i)
    }
    return code
  }
}

/**
 * The sets one model builds, interned by bitmask over a fixed universe: a
 * step allocates no set, compares no elements, and equal sets are one object
 * whose elements are in universe order. A set built elsewhere (a test's, say)
 * is read element by element instead.
 */
export class SetInterner<T> {
  private readonly byMask = new Map<number, SetOf<T>>()
  private readonly masks = new WeakMap<SetOf<T>, number>()

  constructor(private readonly universe: ReadonlyArray<T>, private readonly bitOf: (item: T) => number) {
    if (universe.length > 30) throw new RangeError(`a set interner holds at most 30 elements, got ${universe.length}`)
  }

  of(mask: number): SetOf<T> {
    const known = this.byMask.get(mask)
    if (known !== undefined) return known
    const set = SetOf.from(this.universe.filter((_, i) => (mask & (1 << i)) !== 0))
    this.byMask.set(mask, set)
    this.masks.set(set, mask)
    return set
  }

  /** Whether this interner built `set`: then its elements are from the universe, by construction. */
  built(set: SetOf<T>): boolean {
    return this.masks.has(set)
  }

  /** The set as a bitmask; an element outside the universe throws, or with `skipForeign` is left out. */
  mask(set: SetOf<T>, skipForeign = false): number {
    const known = this.masks.get(set)
    if (known !== undefined) return known
    let mask = 0
    for (const item of set) {
      const bit = this.bitOf(item)
      if (bit === 0 && !skipForeign) throw new RangeError(`${JSON.stringify(item)} is not an element this model's sets can hold`)
      mask |= bit
    }
    return mask
  }
}

