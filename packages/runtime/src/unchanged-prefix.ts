/**
 * How much of an array a step left as it was. Reducers keep the items a
 * step did not touch (the same objects), so comparing by identity tells
 * what changed: storage rewrites only the rest, the event log hashes only
 * the rest.
 */

/** How many items at the start of `after` are the very items of `before`, found from the end of what they share (an append keeps them all, a truncation the rest). */
export const unchangedPrefix = (before: ReadonlyArray<unknown>, after: ReadonlyArray<unknown>): number => {
  let common = Math.min(before.length, after.length)
  while (common > 0 && before[common - 1] !== after[common - 1]) common--
  return common
}
