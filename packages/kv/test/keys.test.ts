/**
 * The store keeps every key and value exactly as given: property tests over
 * arbitrary Unicode keys, the names an object inherits (`__proto__`,
 * `constructor`, `hasOwnProperty`) among them, against a `Map` as the
 * reference, for both forms the store takes (the checker's plain record and
 * the replicated store's buckets), and with the canonical form kept: equal
 * contents are equal data with equal fingerprints however they were reached.
 */
import { equals, fingerprint } from "@parley/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { applyKv, applyKvCommand, bucketGet, bucketsFlat, emptyBuckets, kvSpec } from "../src/index.ts"
import type { Buckets, KvInput, KvOutput, KvSession, KvStore } from "../src/index.ts"

const inherited = ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf", "__defineGetter__", "prototype", ""]

/** Any Unicode text, astral planes and combining marks included; and the names an object inherits, often. */
const anyKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...inherited) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) }
)
const anyValue = fc.oneof(fc.constantFrom(...inherited), fc.string({ unit: "binary", maxLength: 8 }))

const anyInput = (keys: fc.Arbitrary<string>): fc.Arbitrary<KvInput> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Put" as const), key: keys, value: anyValue }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Get" as const), key: keys }) },
    { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Delete" as const), key: keys }) },
    { weight: 2, arbitrary: fc.record({ _tag: fc.constant("Cas" as const), key: keys, expected: fc.option(anyValue, { nil: null }), value: anyValue }) }
  )

/** Enough distinct keys, some of them inherited names, that a bucketed store grows past its flat form and back. */
const manyKeys = fc.uniqueArray(anyKey, { minLength: 1, maxLength: 60 }).chain((keys) =>
  fc.array(anyInput(fc.constantFrom(...keys)), { minLength: 1, maxLength: 200 })
)

/** The reference: a Map, which treats every string alike. */
const applyToMap = (map: Map<string, string>, input: KvInput): KvOutput => {
  const current = map.get(input.key) ?? null
  switch (input._tag) {
    case "Put":
      map.set(input.key, input.value)
      return { _tag: "Written" }
    case "Get":
      return { _tag: "Value", value: current }
    case "Delete":
      return { _tag: "Deleted", existed: map.delete(input.key) }
    case "Cas":
      if (current !== input.expected) return { _tag: "Swapped", ok: false, current }
      map.set(input.key, input.value)
      return { _tag: "Swapped", ok: true, current: input.value }
  }
}

const sortedEntries = (map: ReadonlyMap<string, string>): Array<[string, string]> =>
  [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** The bucketed store holding `entries`, built one Put at a time in the given order. */
const bucketsOf = (entries: ReadonlyArray<readonly [string, string]>): Buckets<string> => {
  let store: Buckets<string> = emptyBuckets
  let seq = 0
  for (const [key, value] of entries) store = applyKvCommand(store, emptyBuckets, { client: "b", seq: ++seq, op: { _tag: "Put", key, value } })!.store
  return store
}

describe("the store keeps keys and values as given", () => {
  it("answers like a Map over any Unicode keys, in the checker's record form", () => {
    fc.assert(fc.property(fc.array(anyInput(anyKey), { maxLength: 60 }), (inputs) => {
      const reference = new Map<string, string>()
      let store: KvStore = kvSpec.init()
      for (const input of inputs) {
        const applied = kvSpec.apply(store, input)
        expect(applied.output).toEqual(applyToMap(reference, input))
        store = applied.model
      }
      expect(Object.entries(store).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sortedEntries(reference))
      expect(Object.getPrototypeOf(store)).toBe(Object.prototype)
    }), { numRuns: 300 })
  })

  it("answers like a Map in the replicated store's buckets, and is the same data however its contents were reached", () => {
    fc.assert(fc.property(manyKeys, (inputs) => {
      const reference = new Map<string, string>()
      let store: Buckets<string> = emptyBuckets
      let sessions: Buckets<KvSession> = emptyBuckets
      for (const [i, op] of inputs.entries()) {
        const applied = applyKvCommand(store, sessions, { client: "c", seq: i + 1, op })!
        expect(applied.output).toEqual(applyToMap(reference, op))
        store = applied.store
        sessions = applied.sessions
      }
      for (const [key, value] of reference) expect(bucketGet(store, key)).toBe(value)
      expect(Object.entries(bucketsFlat(store))).toEqual(sortedEntries(reference))
      const rebuilt = bucketsOf(sortedEntries(reference).reverse())
      expect(equals(store, rebuilt)).toBe(true)
      expect(fingerprint(store)).toBe(fingerprint(rebuilt))
    }), { numRuns: 200 })
  })

  it("keeps a client's session under any id, inherited names included", () => {
    fc.assert(fc.property(fc.uniqueArray(anyKey, { maxLength: 50 }), (clients) => {
      let sessions: Buckets<KvSession> = emptyBuckets
      for (const client of clients) {
        sessions = applyKvCommand(emptyBuckets, sessions, { client, seq: 3, op: { _tag: "Get", key: client } })!.sessions
      }
      for (const client of clients) {
        expect(bucketGet(sessions, client)?.seq).toBe(3)
        expect(applyKvCommand(emptyBuckets, sessions, { client, seq: 3, op: { _tag: "Put", key: client, value: "again" } })).toBeUndefined()
      }
    }), { numRuns: 100 })
  })

  it("stores __proto__, constructor and hasOwnProperty like any other key", () => {
    let store: KvStore = {}
    for (const key of ["__proto__", "constructor", "hasOwnProperty"]) {
      expect(applyKv(store, { _tag: "Get", key }).output).toEqual({ _tag: "Value", value: null })
      expect(applyKv(store, { _tag: "Cas", key, expected: "x", value: "y" }).output).toEqual({ _tag: "Swapped", ok: false, current: null })
      store = applyKv(store, { _tag: "Cas", key, expected: null, value: `${key}!` }).store
      expect(applyKv(store, { _tag: "Get", key }).output).toEqual({ _tag: "Value", value: `${key}!` })
    }
    expect(Object.keys(store).sort()).toEqual(["__proto__", "constructor", "hasOwnProperty"])
    expect(JSON.parse(JSON.stringify(store))).toEqual(store)
    expect(applyKv(store, { _tag: "Delete", key: "__proto__" }).store).toEqual({ constructor: "constructor!", hasOwnProperty: "hasOwnProperty!" })
  })
})
