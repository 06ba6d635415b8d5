/**
 * A 64-bit fingerprint of a plain immutable value, computed as two 32-bit
 * lanes with different constants so the checker can store it in two
 * `Uint32Array`s without allocating a bigint per state.
 *
 * Canonical where order must not matter: an object's entries and an
 * unordered collection's elements (see `Bag`, `SetOf`) are hashed one by one
 * and combined by addition, which commutes, so no sorting is needed. A key
 * holding `undefined` counts as absent, as in JSON. Values that are neither
 * JSON-like nor unordered collections (functions, Maps, class instances with
 * hidden state such as Map and Set) are not plain data and are rejected.
 *
 * A frozen value with a memo slot (unordered collections, `withFingerprintMemo`)
 * is hashed once and its lanes kept in the slot.
 *
 * Allocation-free: the recursion returns its two lanes through module-level
 * registers that each caller reads before it recurses again.
 */
import { memoOf } from "./unordered-tag.ts"
import type { Memo } from "./unordered-tag.ts"

let laneA = 0
let laneB = 0

const TAG_NULL = 0x1f3d5b79
const TAG_UNDEFINED = 0x2e4c6a88
const TAG_TRUE = 0x3a5c7e91
const TAG_FALSE = 0x4b6d8fa2
const TAG_INT = 0x5c7e90b3
const TAG_FLOAT = 0x6d8fa1c4
const TAG_STRING = 0x7ea0b2d5
const TAG_ARRAY = 0x8fb1c3e6
const TAG_UNORDERED = 0x90c2d4f7
const TAG_OBJECT = 0xa1d3e508

const floatView = new Float64Array(1)
const floatWords = new Uint32Array(floatView.buffer)

/** One murmur3 block step; lane B uses its own constants and rotations. */
const stepA = (h: number, k: number): number => {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

const stepB = (h: number, k: number): number => {
  k = Math.imul(k, 0x85ebca77)
  k = (k << 17) | (k >>> 15)
  k = Math.imul(k, 0xc2b2ae3d)
  h ^= k
  h = (h << 11) | (h >>> 21)
  return (Math.imul(h, 9) + 0x52dce729) | 0
}

const finalA = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return h ^ (h >>> 16)
}

const finalB = (h: number): number => {
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  h = Math.imul(h, 0x297a2d39)
  return h ^ (h >>> 15)
}

/** While set, every string (value or key) is hashed as the string it maps to; memos are neither read nor written. */
let renaming: ReadonlyMap<string, string> | undefined

const hashString = (original: string): void => {
  const s = renaming === undefined ? original : renaming.get(original) ?? original
  let a = TAG_STRING
  let b = ~TAG_STRING
  const n = s.length
  let i = 0
  for (; i + 1 < n; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16)
    a = stepA(a, k)
    b = stepB(b, k)
  }
  if (i < n) {
    const k = s.charCodeAt(i)
    a = stepA(a, k)
    b = stepB(b, k)
  }
  laneA = finalA(a ^ n)
  laneB = finalB(b ^ n)
}

const hashNumber = (x: number): void => {
  if ((x | 0) === x) {
    laneA = finalA(stepA(TAG_INT, x))
    laneB = finalB(stepB(~TAG_INT, x))
    return
  }
  floatView[0] = x
  const lo = floatWords[0]!
  const hi = floatWords[1]!
  laneA = finalA(stepA(stepA(TAG_FLOAT, lo), hi))
  laneB = finalB(stepB(stepB(~TAG_FLOAT, lo), hi))
}

const hashArray = (items: ReadonlyArray<unknown>): void => {
  const memo = memoOf(items)
  if (memo !== undefined && memo.known && renaming === undefined) {
    laneA = memo.a
    laneB = memo.b
    return
  }
  if (memo?.kind !== undefined) hashUnorderedItems(items)
  else hashOrderedItems(items)
  if (memo !== undefined && renaming === undefined) remember(memo)
}

const hashUnorderedItems = (items: ReadonlyArray<unknown>): void => {
  const n = items.length
  let sumA = 0
  let sumB = 0
  for (let i = 0; i < n; i++) {
    hashValue(items[i])
    sumA = (sumA + laneA) | 0
    sumB = (sumB + laneB) | 0
  }
  laneA = finalA(stepA(stepA(TAG_UNORDERED, sumA), n))
  laneB = finalB(stepB(stepB(~TAG_UNORDERED, sumB), n))
}

const hashOrderedItems = (items: ReadonlyArray<unknown>): void => {
  const n = items.length
  let a = TAG_ARRAY
  let b = ~TAG_ARRAY
  for (let i = 0; i < n; i++) {
    hashValue(items[i])
    a = stepA(a, laneA)
    b = stepB(b, laneB)
  }
  laneA = finalA(a ^ n)
  laneB = finalB(b ^ n)
}

const remember = (memo: Memo): void => {
  memo.known = true
  memo.a = laneA
  memo.b = laneB
}

const hashObject = (record: Record<string, unknown>): void => {
  const memo = memoOf(record)
  if (memo !== undefined && memo.known && renaming === undefined) {
    laneA = memo.a
    laneB = memo.b
    return
  }
  let sumA = 0
  let sumB = 0
  let n = 0
  for (const key in record) {
    const value = record[key]
    if (value === undefined) continue
    hashString(key)
    const keyA = laneA
    const keyB = laneB
    hashValue(value)
    sumA = (sumA + finalA(stepA(keyA, laneA))) | 0
    sumB = (sumB + finalB(stepB(keyB, laneB))) | 0
    n++
  }
  laneA = finalA(stepA(stepA(TAG_OBJECT, sumA), n))
  laneB = finalB(stepB(stepB(~TAG_OBJECT, sumB), n))
  if (memo !== undefined && renaming === undefined) remember(memo)
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const hashValue = (value: unknown): void => {
  switch (typeof value) {
    case "string":
      return hashString(value)
    case "number":
      return hashNumber(value)
    case "boolean":
      laneA = value ? TAG_TRUE : TAG_FALSE
      laneB = value ? ~TAG_TRUE : ~TAG_FALSE
      return
    case "undefined":
      laneA = TAG_UNDEFINED
      laneB = ~TAG_UNDEFINED
      return
    case "object":
      if (value === null) {
        laneA = TAG_NULL
        laneB = ~TAG_NULL
        return
      }
      if (Array.isArray(value)) return hashArray(value)
      if (!isPlainObject(value)) throw new TypeError(`fingerprint: ${value.constructor?.name} is not plain data`)
      return hashObject(value as Record<string, unknown>)
    default:
      throw new TypeError(`fingerprint: ${typeof value} is not plain data`)
  }
}

/** Writes the fingerprint of `value` as two 32-bit words at `out[offset]` and `out[offset + 1]`. */
export const fingerprintInto = (value: unknown, out: Uint32Array, offset: number): void => {
  hashValue(value)
  out[offset] = laneA
  out[offset + 1] = laneB
}

/**
 * The fingerprint `value` would have with every string renamed by `names`
 * (the others unchanged), without building the renamed value: how symmetry
 * reduction compares a state with its permutations.
 */
export const fingerprintRenamedInto = (
  value: unknown,
  names: ReadonlyMap<string, string>,
  out: Uint32Array,
  offset: number
): void => {
  renaming = names
  try {
    hashValue(value)
  } finally {
    renaming = undefined
  }
  out[offset] = laneA
  out[offset + 1] = laneB
}

/**
 * Writes a 64-bit hash of `count` words from `words[from]`: how the checker
 * fingerprints a state kept as words (see `StateCodec`). Not the state's
 * structural fingerprint; a search uses one or the other throughout.
 */
export const fingerprintWordsInto = (words: Uint32Array, from: number, count: number, out: Uint32Array, offset: number): void => {
  let a = TAG_ARRAY
  let b = ~TAG_ARRAY
  for (let i = from, end = from + count; i < end; i++) {
    const k = words[i]!
    a = stepA(a, k)
    b = stepB(b, k)
  }
  out[offset] = finalA(a ^ count)
  out[offset + 1] = finalB(b ^ count)
}

const scratch = new Uint32Array(2)

/** The 64-bit fingerprint of `value`. */
export const fingerprint = (value: unknown): bigint => {
  fingerprintInto(value, scratch, 0)
  return (BigInt(scratch[0]!) << 32n) | BigInt(scratch[1]!)
}
