import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Bag, equals, fingerprint, fingerprintRenamedInto, isUnordered, SetOf, withFingerprintMemo } from "../src/index.ts"

/** Plain JSON-like values, with objects and unordered collections nested. */
const plain: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 4 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.string({ maxLength: 12 }),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 5 }),
    fc.array(tie("value"), { maxLength: 5 }).map((items) => Bag.from(items))
  )
})).value

/** The same value rebuilt with every object's keys and every unordered collection's elements in another order. */
const reordered = (value: unknown, random: () => number): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    const items = value.map((item) => reordered(item, random))
    if (!isUnordered(value)) return items
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return Bag.from(items)
  }
  const entries = Object.entries(value).map(([k, v]) => [k, reordered(v, random)] as const)
  entries.reverse()
  return Object.fromEntries(entries)
}

describe("fingerprint", () => {
  it("is the same for equal values built in different key or element orders", () => {
    fc.assert(
      fc.property(plain, fc.integer(), (value, seed) => {
        let state = seed
        const random = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32
        const other = reordered(value, random)
        expect(equals(value, other)).toBe(true)
        expect(fingerprint(other)).toBe(fingerprint(value))
      }),
      { numRuns: 2000 }
    )
  })

  it("gives different values different fingerprints over a large random sample", () => {
    const seen = new Map<bigint, unknown>()
    const samples = fc.sample(plain, { numRuns: 200_000, seed: 42 })
    let distinct = 0
    for (const value of samples) {
      const fp = fingerprint(value)
      const earlier = seen.get(fp)
      if (earlier === undefined) {
        seen.set(fp, value)
        distinct++
      } else {
        expect(equals(earlier, value), `collision between ${JSON.stringify(earlier)} and ${JSON.stringify(value)}`)
          .toBe(true)
      }
    }
    // the sample must really be varied for the test to mean anything
    expect(distinct).toBeGreaterThan(100_000)
  }, 120_000)

  it("tells ordered arrays apart by order, but not bags", () => {
    expect(fingerprint([1, 2])).not.toBe(fingerprint([2, 1]))
    expect(fingerprint(Bag.of(1, 2))).toBe(fingerprint(Bag.of(2, 1)))
    expect(fingerprint(Bag.of(1, 2))).not.toBe(fingerprint([1, 2]))
    expect(fingerprint(Bag.of(1, 1, 2))).not.toBe(fingerprint(Bag.of(1, 2, 2)))
    expect(fingerprint(Bag.of(1, 1))).not.toBe(fingerprint(Bag.of(1)))
  })

  it("treats sets as sets: adding a present element changes nothing", () => {
    const set = SetOf.from([{ type: "Commit" }, { type: "Prepared", rm: "rm1" }])
    expect(SetOf.add(set, { rm: "rm1", type: "Prepared" })).toBe(set)
    expect(fingerprint(SetOf.from([{ type: "Prepared", rm: "rm1" }, { type: "Commit" }]))).toBe(fingerprint(set))
  })

  it("distinguishes the cases a commutative sum could confuse", () => {
    expect(fingerprint({ a: 1, b: 2 })).not.toBe(fingerprint({ a: 2, b: 1 }))
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ b: 1 }))
    expect(fingerprint(Bag.of("x", "x"))).not.toBe(fingerprint(Bag.of()))
    expect(fingerprint(1)).not.toBe(fingerprint("1"))
    expect(fingerprint(1)).not.toBe(fingerprint(1.5))
    expect(fingerprint(null)).not.toBe(fingerprint(false))
    expect(fingerprint([])).not.toBe(fingerprint({}))
  })

  it("remembers an unordered collection's fingerprint without confusing it with another", () => {
    const shared = SetOf.from([{ type: "Prepared", rm: "rm1" }, { type: "Commit" }])
    const first = fingerprint({ msgs: shared, tm: "init" })
    expect(fingerprint({ msgs: shared, tm: "init" })).toBe(first)
    expect(fingerprint({ msgs: SetOf.from([{ type: "Commit" }, { type: "Prepared", rm: "rm1" }]), tm: "init" })).toBe(first)
    expect(fingerprint({ msgs: SetOf.add(shared, { type: "Abort" }), tm: "init" })).not.toBe(first)
  })

  it("gives a value with a memo the fingerprint of the same value without one, every time it is asked", () => {
    fc.assert(
      fc.property(plain, (value) => {
        const bare = reordered(value, () => 0.5)
        const memoized = typeof value === "object" && value !== null ? withFingerprintMemo(value) : value
        expect(fingerprint({ v: memoized })).toBe(fingerprint({ v: reordered(bare, Math.random) }))
        expect(fingerprint({ v: memoized, again: memoized })).toBe(fingerprint({ v: bare, again: bare }))
      })
    )
    const record = withFingerprintMemo({ rm1: "working", rm2: "prepared" })
    expect(Object.isFrozen(record)).toBe(true)
    expect(Object.keys(record)).toEqual(["rm1", "rm2"])
    expect(fingerprint([record])).not.toBe(fingerprint([withFingerprintMemo({ rm1: "working", rm2: "aborted" })]))
  })

  it("fingerprints a value under a renaming of its strings as the renamed value, memos or not", () => {
    const names = new Map([["a", "b"], ["b", "a"], ["n1", "n3"], ["n3", "n1"]])
    const rename = (value: unknown): unknown => {
      if (typeof value === "string") return names.get(value) ?? value
      if (typeof value !== "object" || value === null) return value
      if (Array.isArray(value)) return isUnordered(value) ? Bag.from(value.map(rename)) : value.map(rename)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k) ?? k, rename(v)]))
    }
    const words = new Uint32Array(2)
    const renamedFingerprint = (value: unknown): bigint => {
      fingerprintRenamedInto(value, names, words, 0)
      return (BigInt(words[0]!) << 32n) | BigInt(words[1]!)
    }
    fc.assert(
      fc.property(plain, (value) => {
        expect(renamedFingerprint(value)).toBe(fingerprint(rename(value)))
      })
    )
    const shared = withFingerprintMemo({ n1: "a", votes: SetOf.from(["n1", "n2"]) })
    expect(fingerprint(shared)).toBe(fingerprint({ n1: "a", votes: SetOf.from(["n1", "n2"]) }))
    expect(renamedFingerprint(shared)).toBe(fingerprint({ n3: "b", votes: SetOf.from(["n3", "n2"]) }))
    expect(fingerprint(shared)).toBe(fingerprint({ n1: "a", votes: SetOf.from(["n2", "n1"]) }))
  })

  it("counts a key holding undefined as absent, as JSON does", () => {
    expect(fingerprint({ a: 1, b: undefined })).toBe(fingerprint({ a: 1 }))
    expect(equals({ a: 1, b: undefined }, { a: 1 })).toBe(true)
  })

  it("rejects values that are not plain data", () => {
    expect(() => fingerprint(new Map([[1, 2]]))).toThrow(/Map is not plain data/)
    expect(() => fingerprint({ f: () => 1 })).toThrow(/function is not plain data/)
  })
})
