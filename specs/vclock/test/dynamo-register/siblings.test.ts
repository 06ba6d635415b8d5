import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatSibling } from "../../src/dynamo-register/format.ts"
import type { Sibling } from "../../src/dynamo-register/messages.ts"
import { clockOf, contextOf, covers, dynamoRegister, mergeSiblings, stamp, written } from "../../src/dynamo-register/siblings.ts"
import { merge } from "../../src/vclock.ts"

/** `"a n1:1 | n2:1"`: a value, its dot, and after the bar its context's entries. */
const sib = (text: string): Sibling => {
  const [head, tail = ""] = text.split("|")
  const [value, dot] = head!.trim().split(" ")
  const entry = (e: string): [string, number] => [e.split(":")[0]!, Number(e.split(":")[1])]
  const [node, counter] = entry(dot!)
  return { value: value!, dot: { node, counter }, context: Object.fromEntries(tail.trim().split(" ").filter((e) => e !== "").map(entry)) }
}

const lww = { ...dynamoRegister, lastWriterWins: true }

describe("merging sibling sets", () => {
  it.each([
    // rule, local, incoming, expected
    ["a write into an empty key", [], ["a n1:1"], ["a [n1:1]"]],
    ["concurrent writes at two replicas become siblings", ["a n1:1"], ["b n2:1"], ["a [n1:1]", "b [n2:1]"]],
    ["concurrent writes at one replica stay siblings: the dot tells them apart", ["a n1:1"], ["b n1:2"], ["a [n1:1]", "b [n1:2]"]],
    ["a write whose context covers a version drops it", ["a n1:1"], ["b n1:2 | n1:1"], ["b [n1:2]"]],
    ["a superseded version arriving late is dropped", ["b n1:2 | n1:1"], ["a n1:1"], ["b [n1:2]"]],
    ["a write covering both siblings resolves them", ["a n1:1", "b n2:1"], ["c n1:2 | n1:1 n2:1"], ["c [n1:2 n2:1]"]],
    ["a write covering one sibling keeps the other", ["a n1:1", "b n2:1"], ["c n1:2 | n1:1"], ["c [n1:2]", "b [n2:1]"]],
    ["the same version twice is kept once", ["a n1:1"], ["a n1:1"], ["a [n1:1]"]]
  ] as const)("%s", (_rule, local, incoming, expected) => {
    expect(mergeSiblings(dynamoRegister, local.map(sib), incoming.map(sib)).map(formatSibling)).toEqual(expected)
  })

  it.each([
    ["concurrent writes: the higher node of equal counters wins", ["a n1:1"], ["b n2:1"], ["b [n2:1]"]],
    ["concurrent writes: the higher counter wins", ["a n1:2"], ["b n2:1 | n3:1"], ["a [n1:2]"]],
    ["a superseded version is dropped as ever", ["a n1:1"], ["b n1:2 | n1:1"], ["b [n1:2]"]]
  ] as const)("last-writer-wins: %s", (_rule, local, incoming, expected) => {
    expect(mergeSiblings(lww, local.map(sib), incoming.map(sib)).map(formatSibling)).toEqual(expected)
  })

  it("a stamp is the clock's highest entry, counter first and then node", () => {
    expect(stamp({ n1: 2, n2: 1 })).toEqual([2, "n1"])
    expect(stamp({ n1: 1, n2: 1 })).toEqual([1, "n2"])
  })
})

describe("a write's version", () => {
  it("takes the next dot of its coordinator above every counter it knows, and the writer's context", () => {
    const local = ["a n1:1", "b n2:1 | n1:3"].map(sib)
    expect(written(dynamoRegister, "n1", local, "c", {})).toEqual({ value: "c", dot: { node: "n1", counter: 4 }, context: {} })
    expect(written(dynamoRegister, "n1", [], "c", { n1: 5, n2: 1 })).toEqual({ value: "c", dot: { node: "n1", counter: 6 }, context: { n1: 5, n2: 1 } })
  })

  it("ignore-context: keeps only its coordinator's own earlier counter as its context", () => {
    expect(written({ ...dynamoRegister, ignoreContext: true }, "n1", [sib("a n1:1")], "c", { n1: 1, n2: 1 }).context).toEqual({ n1: 1 })
  })

  it("a reader's context is every sibling's clock merged, and covers each of them", () => {
    const siblings = ["a n1:1 | n3:2", "b n2:1"].map(sib)
    expect(contextOf(siblings)).toEqual({ n1: 1, n2: 1, n3: 2 })
    for (const s of siblings) expect(covers(contextOf(siblings), s.dot)).toBe(true)
    expect(clockOf(siblings[0]!)).toEqual({ n1: 1, n3: 2 })
  })
})

/**
 * Sibling sets drawn from one execution's writes: nine dots (three a
 * replica), each with a context of its own, so one dot always names one
 * version. A write's context holds only counters below its own, as a write
 * can have seen only writes made before it, and is closed: having seen a
 * write, it has seen what that write had seen (a reader's context is the
 * merge of whole clocks), so no two versions supersede each other and
 * superseding is transitive.
 */
const dots = [1, 2, 3].flatMap((counter) => ["a", "b", "c"].map((node) => ({ node, counter })))
const closed = (raw: ReadonlyArray<Record<string, number>>): ReadonlyArray<Sibling> => {
  const made: Array<Sibling> = []
  dots.forEach((dot, i) => {
    let context: Record<string, number> = Object.fromEntries(
      Object.entries(raw[i]!).map(([node, n]) => [node, Math.min(n, dot.counter - 1)] as const).filter(([, n]) => n > 0)
    )
    // The dots below are made already, and closed: one pass over them in order closes this one.
    for (const earlier of made) if (covers(context, earlier.dot)) context = merge(context, clockOf(earlier))
    made.push({ value: `${dot.node}${dot.counter}`, dot, context })
  })
  return made
}
const universe = fc.tuple(...dots.map(() => fc.record({ a: fc.nat(2), b: fc.nat(2), c: fc.nat(2) }))).map(closed)
const pick = (all: ReadonlyArray<Sibling>) => fc.subarray([...all]).map((chosen) => mergeSiblings(dynamoRegister, [], chosen))
const threeSets = universe.chain((all) => fc.tuple(pick(all), pick(all), pick(all)))

describe("merge laws", () => {
  it("the result is an antichain: no sibling's context covers another's dot", () => {
    fc.assert(fc.property(threeSets, ([a, b]) => {
      const merged = mergeSiblings(dynamoRegister, a, b)
      for (const x of merged) for (const y of merged) if (x !== y) expect(covers(y.context, x.dot)).toBe(false)
    }))
  })

  it("commutative, idempotent and associative, so replicas converge whatever order replication arrives in", () => {
    fc.assert(fc.property(threeSets, ([a, b, c]) => {
      expect(mergeSiblings(dynamoRegister, a, b)).toEqual(mergeSiblings(dynamoRegister, b, a))
      expect(mergeSiblings(dynamoRegister, a, a)).toEqual(a)
      expect(mergeSiblings(dynamoRegister, mergeSiblings(dynamoRegister, a, b), c)).toEqual(mergeSiblings(dynamoRegister, a, mergeSiblings(dynamoRegister, b, c)))
    }), { numRuns: 2000 })
  })

  it("nothing is dropped that no version of either set supersedes", () => {
    fc.assert(fc.property(threeSets, ([a, b]) => {
      const merged = mergeSiblings(dynamoRegister, a, b)
      for (const x of [...a, ...b]) {
        const superseded = [...a, ...b].some((y) => y !== x && covers(y.context, x.dot))
        expect(superseded || merged.some((m) => m.dot.node === x.dot.node && m.dot.counter === x.dot.counter)).toBe(true)
      }
    }))
  })
})
