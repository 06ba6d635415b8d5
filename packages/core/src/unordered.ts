/**
 * Collections whose order does not matter: the network's in-flight messages
 * (a multiset), TLA+'s sets. They are frozen arrays carrying a marker that
 * `fingerprint` reads, so `[a, b]` and `[b, a]` are one state; in JSON they are
 * plain arrays. The marker is a brand in the type as well, so a plain array
 * (a spread copy, say) cannot be passed where an unordered one is expected.
 */
import { equals } from "./equals.ts"
import { FingerprintMemo, UnorderedTag } from "./unordered-tag.ts"

export type Bag<T> = ReadonlyArray<T> & { readonly [UnorderedTag]: "bag" }
export type SetOf<T> = ReadonlyArray<T> & { readonly [UnorderedTag]: "set" }

const mark = <C>(items: Array<unknown>, kind: "bag" | "set"): C => {
  Object.defineProperty(items, FingerprintMemo, { value: { kind, known: false, a: 0, b: 0 }, enumerable: false })
  return Object.freeze(items) as C
}

/** A multiset: the same element may occur several times. */
export const Bag = {
  empty: <T>(): Bag<T> => mark<Bag<T>>([], "bag"),
  of: <T>(...items: ReadonlyArray<T>): Bag<T> => mark<Bag<T>>([...items], "bag"),
  from: <T>(items: Iterable<T>): Bag<T> => mark<Bag<T>>([...items], "bag"),
  add: <T>(bag: Bag<T>, item: T): Bag<T> => mark<Bag<T>>([...bag, item], "bag"),
  addAll: <T>(bag: Bag<T>, items: ReadonlyArray<T>): Bag<T> =>
    items.length === 0 ? bag : mark<Bag<T>>([...bag, ...items], "bag"),
  /** Removes the element at `index` (one copy). */
  removeAt: <T>(bag: Bag<T>, index: number): Bag<T> => {
    const items = bag.slice()
    items.splice(index, 1)
    return mark<Bag<T>>(items, "bag")
  },
  count: <T>(bag: Bag<T>, item: T): number => bag.filter((x) => equals(x, item)).length
}

/** A set: adding an element already present leaves it unchanged. */
export const SetOf = {
  empty: <T>(): SetOf<T> => mark<SetOf<T>>([], "set"),
  from: <T>(items: Iterable<T>): SetOf<T> => {
    const unique: Array<T> = []
    for (const item of items) if (!unique.some((x) => equals(x, item))) unique.push(item)
    return mark<SetOf<T>>(unique, "set")
  },
  has: <T>(set: SetOf<T>, item: T): boolean => set.some((x) => equals(x, item)),
  add: <T>(set: SetOf<T>, item: T): SetOf<T> =>
    SetOf.has(set, item) ? set : mark<SetOf<T>>([...set, item], "set"),
  remove: <T>(set: SetOf<T>, item: T): SetOf<T> =>
    SetOf.has(set, item) ? mark<SetOf<T>>(set.filter((x) => !equals(x, item)), "set") : set
}
