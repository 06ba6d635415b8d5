/**
 * Sets of nodes in a node's state (the acceptors that promised, the ones
 * that accepted): kept sorted, so a trace reads the same whichever arrived
 * first, and marked unordered (`SetOf`), so that their fingerprint does not
 * depend on the order either. The second is what `--symmetry` needs: the
 * renaming of interchangeable nodes, a2 and a3 swapped say, leaves
 * `[a1, a3]` as `[a1, a2]` only up to order.
 */
import { SetOf } from "@parley/core"

/** `items` and `item`, sorted by `order`, as a set. */
export const sortedSetWith = <T>(items: ReadonlyArray<T>, item: T, order?: (a: T, b: T) => number): SetOf<T> =>
  SetOf.from([...items, item].sort(order))

/** The empty set, as a node's state starts. */
export const emptySet = <T>(): SetOf<T> => SetOf.empty<T>()
