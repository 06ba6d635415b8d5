import fc from "fast-check"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { compare, dominatedBy, formatClock, increment, merge, VClock, zero } from "../src/vclock.ts"
import type { Order } from "../src/vclock.ts"

/** Clocks over three nodes with small counters, so that equal, ordered and concurrent pairs are all common. */
const clock: fc.Arbitrary<VClock> = fc
  .record({ a: fc.nat(3), b: fc.nat(3), c: fc.nat(3) })
  .map((counters) => Object.fromEntries(Object.entries(counters).filter(([, n]) => n > 0)))
const node = fc.constantFrom("a", "b", "c")

const converse: Record<Order, Order> = { before: "after", after: "before", equal: "equal", concurrent: "concurrent" }

describe("compare is a partial order", () => {
  it("reflexive: a clock is equal to itself, and only to an equal clock", () => {
    fc.assert(fc.property(clock, clock, (a, b) => {
      expect(compare(a, a)).toBe("equal")
      expect(compare(a, b) === "equal").toBe(JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort()))
    }))
  })

  it("antisymmetric: comparing the other way round gives the converse", () => {
    fc.assert(fc.property(clock, clock, (a, b) => {
      expect(compare(b, a)).toBe(converse[compare(a, b)])
    }))
  })

  it("transitive: a ≤ b and b ≤ c give a ≤ c, and strictly when either step is strict", () => {
    fc.assert(fc.property(clock, clock, clock, (a, b, c) => {
      fc.pre(dominatedBy(a, b) && dominatedBy(b, c))
      expect(dominatedBy(a, c)).toBe(true)
      if (compare(a, b) === "before" || compare(b, c) === "before") expect(compare(a, c)).toBe("before")
    }))
  })

  it("increment moves a clock strictly after itself", () => {
    fc.assert(fc.property(clock, node, (a, n) => {
      expect(compare(a, increment(a, n))).toBe("before")
    }))
  })
})

describe("merge is the least upper bound", () => {
  it("commutative, associative and idempotent", () => {
    fc.assert(fc.property(clock, clock, clock, (a, b, c) => {
      expect(compare(merge(a, b), merge(b, a))).toBe("equal")
      expect(compare(merge(merge(a, b), c), merge(a, merge(b, c)))).toBe("equal")
      expect(compare(merge(a, a), a)).toBe("equal")
    }))
  })

  it("an upper bound of both, and below every other upper bound", () => {
    fc.assert(fc.property(clock, clock, clock, (a, b, c) => {
      const m = merge(a, b)
      expect(dominatedBy(a, m) && dominatedBy(b, m)).toBe(true)
      if (dominatedBy(a, c) && dominatedBy(b, c)) expect(dominatedBy(m, c)).toBe(true)
    }))
  })

  it("of two concurrent clocks is strictly after each", () => {
    fc.assert(fc.property(clock, clock, (a, b) => {
      fc.pre(compare(a, b) === "concurrent")
      expect([compare(a, merge(a, b)), compare(b, merge(a, b))]).toEqual(["before", "before"])
    }))
  })
})

describe("examples", () => {
  it.each([
    [{}, {}, "equal"],
    [{ a: 1 }, { a: 1, b: 1 }, "before"],
    [{ a: 2 }, { a: 1, b: 1 }, "concurrent"],
    [{ a: 2, b: 1 }, { a: 1 }, "after"]
  ] as const)("%j vs %j: %s", (a, b, order) => expect(compare(a, b)).toBe(order))

  it("formats and decodes; a zero counter is not a stored counter", () => {
    expect(formatClock(merge(increment(zero, "b"), { a: 2 }))).toBe("[a:2 b:1]")
    expect(Schema.decodeUnknownSync(VClock)({ a: 2 })).toEqual({ a: 2 })
    expect(() => Schema.decodeUnknownSync(VClock)({ a: 0 })).toThrow()
  })

  it("counts a node named as an Object method from 0", () => {
    expect(increment(zero, "toString")).toEqual({ toString: 1 })
    expect(merge({ constructor: 2 }, { toString: 3 })).toEqual({ constructor: 2, toString: 3 })
  })
})
