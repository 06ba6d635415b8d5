/** The marker `fingerprint` and `equals` read to treat an array as unordered. */
export const UnorderedTag: unique symbol = Symbol.for("@parley/core/Unordered")

export const isUnordered = (value: ReadonlyArray<unknown>): boolean =>
  (value as { readonly [UnorderedTag]?: string })[UnorderedTag] !== undefined
