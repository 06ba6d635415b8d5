import { equals, fingerprint } from "@parley/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { bucketCount, bucketGet, bucketSet, bucketsFlat, bucketsWithout, bucketUpdate, emptyBuckets } from "../src/buckets.ts"
import type { Buckets } from "../src/buckets.ts"

const removed = (map: Buckets<number>, key: string): Buckets<number> =>
  bucketUpdate(map, key, (bucket) => {
    const had = Object.hasOwn(bucket, key)
    delete bucket[key]
    return { changed: had, result: undefined }
  }).map

describe("Buckets", () => {
  it("gets what was set, leaves the map it came from as it was, and lists entries sorted", () => {
    const one = bucketSet(emptyBuckets as Buckets<number>, "b", 2)
    const two = bucketSet(one, "a", 1)
    expect([bucketGet(two, "a"), bucketGet(two, "b"), bucketGet(two, "c")]).toEqual([1, 2, undefined])
    expect(bucketGet(one, "a")).toBeUndefined()
    expect(bucketsFlat(two)).toEqual({ a: 1, b: 2 })
    expect(Object.keys(bucketsFlat(two))).toEqual(["a", "b"])
  })

  it("is the same data, with the same fingerprint, however its contents were reached", () => {
    const keys = Array.from({ length: 300 }, (_, i) => `key${i}`)
    let forward: Buckets<number> = emptyBuckets
    for (const [i, key] of keys.entries()) forward = bucketSet(forward, key, i)
    let backward: Buckets<number> = emptyBuckets
    for (const [i, key] of [...keys.entries()].reverse()) backward = bucketSet(backward, key, i)
    backward = removed(bucketSet(backward, "extra", 0), "extra")
    expect(equals(forward, backward)).toBe(true)
    expect(fingerprint(forward)).toBe(fingerprint(backward))
    expect("buckets" in forward && Object.keys(forward.buckets).length).toBeGreaterThan(32)
  })

  it("keeps a small map as one record, and takes the same form whichever way a size is reached", () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key${i}`)
    let grown: Buckets<number> = emptyBuckets
    for (const [i, key] of keys.entries()) grown = bucketSet(grown, key, i)
    expect("buckets" in grown).toBe(true)
    let shrunk = grown
    for (const key of keys.slice(20)) shrunk = removed(shrunk, key)
    let built: Buckets<number> = emptyBuckets
    for (const [i, key] of keys.slice(0, 20).entries()) built = bucketSet(built, key, i)
    expect(shrunk).toEqual({ entries: Object.fromEntries(keys.slice(0, 20).map((key, i) => [key, i])) })
    expect(equals(shrunk, built)).toBe(true)
    expect(fingerprint(shrunk)).toBe(fingerprint(built))
    expect(bucketsFlat(grown)).toEqual(Object.fromEntries(keys.map((key, i) => [key, i]).sort(([a], [b]) => (a! < b! ? -1 : 1))))
    expect(keys.map((key) => bucketGet(grown, key))).toEqual(keys.map((_, i) => i))
  })

  it("drops a bucket left empty, and returns the map itself when nothing changed", () => {
    const one = bucketSet(emptyBuckets as Buckets<number>, "x", 1)
    expect(removed(one, "x")).toEqual(emptyBuckets)
    expect(removed(one, "y")).toBe(one)
  })

  it("drops what a sweep picks, into the same data as a map built without it", () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), fc.nat(9)), { maxLength: 120, selector: ([key]) => key })
    fc.assert(fc.property(entries, fc.nat(9), (pairs, threshold) => {
      let map: Buckets<number> = emptyBuckets
      for (const [key, value] of pairs) map = bucketSet(map, key, value)
      const swept = bucketsWithout(map, (value) => value < threshold)
      let built: Buckets<number> = emptyBuckets
      for (const [key, value] of [...pairs].reverse()) if (value >= threshold) built = bucketSet(built, key, value)
      expect(equals(swept, built)).toBe(true)
      expect(fingerprint(swept)).toBe(fingerprint(built))
      expect(bucketCount(swept)).toBe(pairs.filter(([, value]) => value >= threshold).length)
      if (pairs.every(([, value]) => value >= threshold)) expect(swept).toBe(map)
    }), { numRuns: 300 })
  })
})
