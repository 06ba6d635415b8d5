import { isUnordered } from "./unordered-tag.ts"

/**
 * Structural equality of plain immutable values, with the same notion of
 * sameness as `fingerprint`: object key order does not matter, a key holding
 * `undefined` is the same as an absent key, and unordered collections are
 * compared as multisets.
 */
export const equals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b)
  }
  const aIsArray = Array.isArray(a)
  if (aIsArray !== Array.isArray(b)) return false
  if (aIsArray) return arraysEqual(a as ReadonlyArray<unknown>, b as ReadonlyArray<unknown>)
  return objectsEqual(a as Record<string, unknown>, b as Record<string, unknown>)
}

const arraysEqual = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean => {
  if (a.length !== b.length) return false
  const unordered = isUnordered(a)
  if (unordered !== isUnordered(b)) return false
  if (!unordered) {
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false
    return true
  }
  const matched = new Uint8Array(b.length)
  outer: for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (matched[j] === 0 && equals(x, b[j])) {
        matched[j] = 1
        continue outer
      }
    }
    return false
  }
  return true
}

const objectsEqual = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  let definedInA = 0
  for (const key in a) {
    const value = a[key]
    if (value === undefined) continue
    definedInA++
    if (!equals(value, b[key])) return false
  }
  let definedInB = 0
  for (const key in b) if (b[key] !== undefined) definedInB++
  return definedInA === definedInB
}
