/** The brand of an unordered collection's type; at run time its memo slot says what it is (`Memo.kind`). */
export const UnorderedTag: unique symbol = Symbol.for("@parley/core/Unordered")

/** Whether `fingerprint` and `equals` treat an array as unordered. */
export const isUnordered = (value: ReadonlyArray<unknown>): boolean => memoOf(value)?.kind !== undefined

/**
 * Where a frozen value keeps its own fingerprint once computed: every
 * unordered collection, and any object passed to `withFingerprintMemo`. The
 * value is frozen, so the fingerprint cannot change; the slot is a small
 * mutable object defined before freezing, so a value shared by many states (a
 * TLA+ set variable, a network or a node that a step left alone) is hashed once.
 */
export const FingerprintMemo: unique symbol = Symbol.for("@parley/core/FingerprintMemo")

export interface Memo {
  /** Set on an unordered collection: one property says both what it is and its fingerprint, since defining a property costs. */
  readonly kind?: "bag" | "set"
  known: boolean
  a: number
  b: number
}

export const memoOf = (value: object): Memo | undefined =>
  (value as { readonly [FingerprintMemo]?: Memo })[FingerprintMemo]

/**
 * Freezes `value` with a slot for its fingerprint, so the checker hashes it
 * once however many states share it. Worth it for values a spec builds once
 * and reuses (interned records, a node state most steps leave alone); a
 * value hashed once anyway only pays for the slot.
 */
export const withFingerprintMemo = <T extends object>(value: T): Readonly<T> => {
  if (memoOf(value) === undefined && !Object.isFrozen(value)) {
    Object.defineProperty(value, FingerprintMemo, { value: { known: false, a: 0, b: 0 }, enumerable: false })
  }
  return Object.freeze(value)
}
