/** The marker `fingerprint` and `equals` read to treat an array as unordered. */
export const UnorderedTag: unique symbol = Symbol.for("@parley/core/Unordered")

export const isUnordered = (value: ReadonlyArray<unknown>): boolean =>
  (value as { readonly [UnorderedTag]?: string })[UnorderedTag] !== undefined

/**
 * Where an unordered collection keeps its own fingerprint once computed. It
 * is frozen when made, so the fingerprint cannot change; the slot is a small
 * mutable object defined before freezing, so a set shared by many states (a
 * TLA+ set variable, a network that a step left alone) is hashed once.
 */
export const FingerprintMemo: unique symbol = Symbol.for("@parley/core/FingerprintMemo")

export interface Memo {
  known: boolean
  a: number
  b: number
}

export const memoOf = (value: ReadonlyArray<unknown>): Memo | undefined =>
  (value as { readonly [FingerprintMemo]?: Memo })[FingerprintMemo]
