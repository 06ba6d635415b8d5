import { equals } from "@parley/core"
import type { ChangeView } from "./view-model.ts"

type Fields = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Indices of `after`'s elements that `before` does not hold, matched as multisets; and `before`'s that left. */
const arrayDelta = (before: ReadonlyArray<unknown>, after: ReadonlyArray<unknown>) => {
  const unmatched = after.map((_, index) => index)
  const removed: Array<unknown> = []
  for (const item of before) {
    const at = unmatched.findIndex((index) => equals(after[index], item))
    if (at === -1) removed.push(item)
    else unmatched.splice(at, 1)
  }
  return { added: unmatched, removed }
}

const collect = (before: unknown, after: unknown, path: ReadonlyArray<string>, out: Array<ChangeView>): void => {
  if (equals(before, after)) return
  if (before === undefined) {
    out.push({ path })
    return
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)])
    for (const key of keys) collect(before[key], after[key], [...path, key], out)
    return
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.length === after.length) {
      after.forEach((item, index) => collect(before[index], item, [...path, String(index)], out))
      return
    }
    // A list that grew or shrank (a log, a bag of votes): name what came and went, not every shifted index.
    const { added, removed } = arrayDelta(before, after)
    out.push(removed.length === 0 ? { path } : { path, removed })
    for (const index of added) out.push({ path: [...path, String(index)] })
    return
  }
  out.push({ path, before })
}

/**
 * The innermost parts of the lanes that differ between two positions, each
 * lane's path starting with its name. Objects are compared key by key, arrays
 * of the same length index by index, arrays that grew or shrank as multisets.
 */
export const changedParts = (
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>
): ReadonlyArray<ChangeView> => {
  const out: Array<ChangeView> = []
  collect(before, after, [], out)
  return out
}
