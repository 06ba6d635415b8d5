import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatSibling } from "../../src/dynamo-register/format.ts"
import { dynamoRegister, mergeSiblings, stamp } from "../../src/dynamo-register/siblings.ts"
import type { Sibling } from "../../src/dynamo-register/messages.ts"
import { compare, formatClock } from "../../src/vclock.ts"
import type { VClock } from "../../src/vclock.ts"

/** `"c1.1 c1:1 c2:1"`: a value and its clock's entries. */
const sib = (text: string): Sibling => {
  const [value, ...entries] = text.split(" ")
  return { value: value!, clock: Object.fromEntries(entries.map((e) => [e.split(":")[0]!, Number(e.split(":")[1])])) }
}

const lww = { ...dynamoRegister, lastWriterWins: true }

describe("merging sibling sets", () => {
  it.each([
    // rule, local, incoming, expected
    ["a write into an empty register", [], ["c1.1 c1:1"], ["c1.1 [c1:1]"]],
    ["concurrent writes become siblings", ["c1.1 c1:1"], ["c2.1 c2:1"], ["c1.1 [c1:1]", "c2.1 [c2:1]"]],
    ["a write whose clock dominates drops the older version", ["c1.1 c1:1"], ["c1.2 c1:2"], ["c1.2 [c1:2]"]],
    ["an older version arriving late is dropped", ["c1.2 c1:2"], ["c1.1 c1:1"], ["c1.2 [c1:2]"]],
    ["a write covering both siblings resolves them", ["c1.1 c1:1", "c2.1 c2:1"], ["c1.2 c1:2 c2:1"], ["c1.2 [c1:2 c2:1]"]],
    ["a write covering one sibling keeps the other", ["c1.1 c1:1", "c2.1 c2:1"], ["c1.2 c1:2"], ["c1.2 [c1:2]", "c2.1 [c2:1]"]],
    ["the same version twice is kept once", ["c1.1 c1:1"], ["c1.1 c1:1"], ["c1.1 [c1:1]"]]
  ] as const)("%s", (_rule, local, incoming, expected) => {
    expect(mergeSiblings(dynamoRegister, local.map(sib), incoming.map(sib)).map(formatSibling)).toEqual(expected)
  })

  it.each([
    ["concurrent writes: the higher node of equal counters wins", ["c1.1 c1:1"], ["c2.1 c2:1"], ["c2.1 [c2:1]"]],
    ["concurrent writes: the higher counter wins", ["c1.2 c1:2"], ["c2.1 c2:1 c3:1"], ["c1.2 [c1:2]"]],
    ["a dominated version is dropped as ever", ["c1.1 c1:1"], ["c1.2 c1:2"], ["c1.2 [c1:2]"]]
  ] as const)("last-writer-wins: %s", (_rule, local, incoming, expected) => {
    expect(mergeSiblings(lww, local.map(sib), incoming.map(sib)).map(formatSibling)).toEqual(expected)
  })

  it("a stamp is the clock's highest entry, counter first and then node", () => {
    expect(stamp({ c1: 2, c2: 1 })).toEqual([2, "c1"])
    expect(stamp({ c1: 1, c2: 1 })).toEqual([1, "c2"])
  })
})

/** Sibling sets of writes by three clients with small counters; a value names its clock, as writes are unique. */
const clock: fc.Arbitrary<VClock> = fc
  .record({ a: fc.nat(2), b: fc.nat(2), c: fc.nat(2) })
  .map((counters) => Object.fromEntries(Object.entries(counters).filter(([, n]) => n > 0)))
const siblings = fc.array(clock, { maxLength: 4 }).map((clocks) => mergeSiblings(dynamoRegister, [], clocks.map((c) => ({ value: formatClock(c), clock: c }))))

describe("merge laws", () => {
  it("the result is an antichain: no sibling dominates another", () => {
    fc.assert(fc.property(siblings, siblings, (a, b) => {
      const merged = mergeSiblings(dynamoRegister, a, b)
      for (const x of merged) for (const y of merged) if (x !== y) expect(compare(x.clock, y.clock)).toBe("concurrent")
    }))
  })

  it("commutative, idempotent and associative, so replicas converge whatever order replication arrives in", () => {
    fc.assert(fc.property(siblings, siblings, siblings, (a, b, c) => {
      expect(mergeSiblings(dynamoRegister, a, b)).toEqual(mergeSiblings(dynamoRegister, b, a))
      expect(mergeSiblings(dynamoRegister, a, a)).toEqual(a)
      expect(mergeSiblings(dynamoRegister, mergeSiblings(dynamoRegister, a, b), c)).toEqual(mergeSiblings(dynamoRegister, a, mergeSiblings(dynamoRegister, b, c)))
    }))
  })

  it("nothing is lost: every version of either set is in the merge or dominated by one there", () => {
    fc.assert(fc.property(siblings, siblings, (a, b) => {
      const merged = mergeSiblings(dynamoRegister, a, b)
      for (const x of [...a, ...b]) expect(merged.some((m) => ["before", "equal"].includes(compare(x.clock, m.clock)))).toBe(true)
    }))
  })
})
