import { Bag, SetOf } from "@parley/core"
import { describe, expect, it } from "vitest"
import { Interner } from "../src/interner.ts"
import { PairMap, TupleTable } from "../src/tuple-table.ts"

describe("TupleTable", () => {
  it("gives equal tuples one id and others their own, across its growth", () => {
    const table = new TupleTable()
    const tuples = Array.from({ length: 20_000 }, (_, i) => Array.from({ length: i % 7 }, (_, j) => (i * 31 + j) % 1000))
    const ids = tuples.map((tuple) => table.intern(tuple))
    const distinct = new Set(tuples.map((tuple) => tuple.join(",")))
    expect(table.size).toBe(distinct.size)
    tuples.forEach((tuple, i) => {
      expect(table.intern([...tuple])).toBe(ids[i])
      expect(table.toArray(ids[i]!)).toEqual(tuple)
      expect(table.length(ids[i]!)).toBe(tuple.length)
    })
  })

  it("tells apart tuples that differ only in order or length", () => {
    const table = new TupleTable()
    const ids = [[], [0], [0, 0], [1, 2], [2, 1], [1, 2, 0]].map((tuple) => table.intern(tuple))
    expect(new Set(ids).size).toBe(6)
  })
})

describe("PairMap", () => {
  it("maps pairs to values across its growth, and says -1 for a pair never set", () => {
    const map = new PairMap()
    for (let a = 0; a < 300; a++) for (let b = 0; b < 100; b += 3) map.set(a, b, a * 1000 + b)
    expect(map.size).toBe(300 * 34)
    expect(map.get(17, 33)).toBe(17_033)
    expect(map.get(299, 99)).toBe(299_099)
    expect(map.get(17, 34)).toBe(-1)
    expect(map.get(300, 0)).toBe(-1)
  })
})

describe("Interner", () => {
  it("gives one id to the same value, and values equal but for order their own ids with one fingerprint", () => {
    const interner = new Interner<unknown>()
    const first = interner.intern({ a: 1, b: SetOf.from(["x", "y"]), c: Bag.of(1, 1, 2) })
    expect(interner.intern({ a: 1, b: SetOf.from(["x", "y"]), c: Bag.of(1, 1, 2) })).toBe(first)
    const reordered = interner.intern({ c: Bag.of(2, 1, 1), b: SetOf.from(["y", "x"]), a: 1 })
    expect(reordered).not.toBe(first)
    expect([interner.lanesA[reordered], interner.lanesB[reordered]]).toEqual([interner.lanesA[first], interner.lanesB[first]])
    const other = interner.intern({ a: 1, b: SetOf.from(["x"]), c: Bag.of(1, 1, 2) })
    expect(interner.lanesA[other]).not.toBe(interner.lanesA[first])
    expect(interner.values[first]).toEqual({ a: 1, b: ["x", "y"], c: [1, 1, 2] })
  })

  it("tells apart values JSON writes alike", () => {
    const interner = new Interner<unknown>()
    expect(interner.intern([Number.NaN])).not.toBe(interner.intern([null]))
  })
})
