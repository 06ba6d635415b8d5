import { describe, expect, it } from "vitest"
import { Bag, equals, isUnordered, SetOf } from "../src/index.ts"

describe("Bag", () => {
  it("keeps duplicates and removes one copy at a time", () => {
    const bag = Bag.of("m", "m", "n")
    expect(Bag.count(bag, "m")).toBe(2)
    const once = Bag.removeAt(bag, 0)
    expect(Bag.count(once, "m")).toBe(1)
    expect(isUnordered(once)).toBe(true)
    expect(bag).toHaveLength(3)
  })

  it("is frozen, serialises as a plain array, and equals a reordered copy", () => {
    const bag = Bag.of({ to: "p1" }, { to: "p2" })
    expect(Object.isFrozen(bag)).toBe(true)
    expect(JSON.stringify(bag)).toBe('[{"to":"p1"},{"to":"p2"}]')
    expect(equals(bag, Bag.of({ to: "p2" }, { to: "p1" }))).toBe(true)
    expect(equals(bag, [{ to: "p1" }, { to: "p2" }])).toBe(false)
  })
})

describe("SetOf", () => {
  it("ignores an element already present, compared structurally", () => {
    const set = SetOf.from([{ a: 1, b: 2 }, { b: 2, a: 1 }])
    expect(set).toHaveLength(1)
    expect(SetOf.has(set, { b: 2, a: 1 })).toBe(true)
    expect(SetOf.remove(set, { a: 1, b: 2 })).toHaveLength(0)
    expect(SetOf.add(set, { a: 1, b: 3 })).toHaveLength(2)
  })
})
