import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { checkLinearizability, linearizable, operationsOf } from "@parley/core"
import type { HistoryEvent, Operation, SequentialSpec } from "@parley/core"
import { kvSpec } from "../src/index.ts"
import type { KvInput, KvOutput } from "../src/index.ts"

type Event = HistoryEvent<KvInput, KvOutput>

const put = (key: string, value: string): KvInput => ({ _tag: "Put", key, value })
const get = (key: string): KvInput => ({ _tag: "Get", key })
const cas = (key: string, expected: string | null, value: string): KvInput => ({ _tag: "Cas", key, expected, value })
const written: KvOutput = { _tag: "Written" }
const value = (v: string | null): KvOutput => ({ _tag: "Value", value: v })
const swapped = (ok: boolean, current: string | null): KvOutput => ({ _tag: "Swapped", ok, current })

const invoke = (client: string, input: KvInput): Event => ({ _tag: "Invoke", client, node: "n1", request: input })
const ret = (client: string, output: KvOutput): Event => ({ _tag: "Return", client, node: "n1", response: output })

const verdict = (history: ReadonlyArray<Event>) => checkLinearizability(kvSpec, operationsOf(history))._tag

describe("checkLinearizability", () => {
  it("accepts a sequential history that follows the map", () => {
    expect(verdict([invoke("a", put("x", "1")), ret("a", written), invoke("b", get("x")), ret("b", value("1"))])).toBe("Linearizable")
  })

  it("accepts a read concurrent with a write seeing either the old or the new value", () => {
    for (const seen of [null, "1"]) {
      expect(verdict([invoke("a", put("x", "1")), invoke("b", get("x")), ret("b", value(seen)), ret("a", written)])).toBe("Linearizable")
    }
  })

  it("refuses a read that returns a value overwritten before the read began", () => {
    const history = [
      invoke("a", put("x", "1")), ret("a", written),
      invoke("a", put("x", "2")), ret("a", written),
      invoke("b", get("x")), ret("b", value("1"))
    ]
    expect(verdict(history)).toBe("NotLinearizable")
  })

  it("refuses two reads that see a write take effect and then un-take effect", () => {
    const history = [
      invoke("a", put("x", "1")),
      invoke("b", get("x")), ret("b", value("1")),
      invoke("c", get("x")), ret("c", value(null)),
      ret("a", written)
    ]
    expect(verdict(history)).toBe("NotLinearizable")
  })

  it("lets a pending write take effect, or not, but never before it was invoked", () => {
    expect(verdict([invoke("a", put("x", "1")), invoke("b", get("x")), ret("b", value("1"))])).toBe("Linearizable")
    expect(verdict([invoke("a", put("x", "1")), invoke("b", get("x")), ret("b", value(null))])).toBe("Linearizable")
    expect(verdict([invoke("b", get("x")), ret("b", value("1")), invoke("a", put("x", "1"))])).toBe("NotLinearizable")
  })

  it("refuses two compare-and-swaps from absent that both succeed", () => {
    const history = [
      invoke("a", cas("x", null, "a")), invoke("b", cas("x", null, "b")),
      ret("a", swapped(true, "a")), ret("b", swapped(true, "b"))
    ]
    expect(verdict(history)).toBe("NotLinearizable")
  })

  it("checks each key on its own and names the key that fails", () => {
    const history = [
      invoke("a", put("x", "1")), ret("a", written),
      invoke("a", put("y", "1")), ret("a", written),
      invoke("b", get("x")), ret("b", value("1")),
      invoke("b", get("y")), ret("b", value(null))
    ]
    const result = checkLinearizability(kvSpec, operationsOf(history))
    expect(result).toMatchObject({ _tag: "NotLinearizable", partition: "y" })
  })

  it("gives a linearization that respects real time", () => {
    const history = [
      invoke("a", put("x", "1")), invoke("b", put("x", "2")), ret("b", written),
      invoke("c", get("x")), ret("a", written), ret("c", value("1"))
    ]
    const result = checkLinearizability(kvSpec, operationsOf(history))
    expect(result._tag).toBe("Linearizable")
    if (result._tag === "Linearizable") expect(result.order.map((op) => op.input)).toEqual([put("x", "2"), put("x", "1"), get("x")])
  })
})

describe("operationsOf", () => {
  it("pairs each invocation with its client's next return and keeps unanswered ones pending", () => {
    const operations = operationsOf([invoke("a", put("x", "1")), invoke("b", get("x")), ret("a", written)])
    expect(operations.map((op) => [op.client, op.outcome._tag])).toEqual([["a", "Returned"], ["b", "Pending"]])
  })

  it("refuses a history in which a client has two operations open", () => {
    expect(() => operationsOf([invoke("a", get("x")), invoke("a", get("x"))])).toThrow(/client a invoked an operation while one was open/)
    expect(() => operationsOf([ret("a", written)])).toThrow(/client a received a return with no open operation/)
  })
})

describe("linearizable", () => {
  it("is an always property that checks each history array once", () => {
    let applied = 0
    const counting: SequentialSpec<number, KvInput, KvOutput> = {
      name: "counting",
      init: () => 0,
      apply: (n) => {
        applied++
        return { model: n + 1, output: written }
      }
    }
    const history = [invoke("a", put("x", "1")), ret("a", written)]
    const property = linearizable("Linearizable", counting, (s: { history: ReadonlyArray<Event> }) => s.history)
    expect(property.kind).toBe("always")
    expect(property.holds({ history })).toBe(true)
    expect(property.holds({ history })).toBe(true)
    expect(applied).toBe(1)
    expect(property.holds({ history: [invoke("a", get("x")), ret("a", written), invoke("b", get("x")), ret("b", value(null))] })).toBe(false)
  })
})

/**
 * The definition, searched by brute force: some order of the returned
 * operations and some of the pending ones, respecting real time, that the
 * map accepts with every returned output.
 */
const linearizableByDefinition = (operations: ReadonlyArray<Operation<KvInput, KvOutput>>): boolean => {
  const returnedAt = (op: Operation<KvInput, KvOutput>) => (op.outcome._tag === "Returned" ? op.outcome.returnedAt : Infinity)
  const extend = (placed: ReadonlyArray<Operation<KvInput, KvOutput>>): boolean => {
    let store = kvSpec.init()
    for (const op of placed) {
      const applied = kvSpec.apply(store, op.input)
      if (op.outcome._tag === "Returned" && JSON.stringify(applied.output) !== JSON.stringify(op.outcome.output)) return false
      store = applied.model
    }
    const rest = operations.filter((op) => !placed.includes(op))
    if (rest.every((op) => op.outcome._tag === "Pending")) return true
    return rest.some((op) => rest.every((other) => returnedAt(other) > op.invokedAt) && extend([...placed, op]))
  }
  return extend([])
}

/** A history of up to three clients on keys x and y, with outputs drawn at random. */
const arbitraryHistory: fc.Arbitrary<ReadonlyArray<Event>> = fc
  .array(
    fc.record({
      client: fc.constantFrom("a", "b", "c"),
      input: fc.oneof(
        fc.constantFrom("x", "y").map(get),
        fc.tuple(fc.constantFrom("x", "y"), fc.constantFrom("1", "2")).map(([k, v]) => put(k, v)),
        fc.tuple(fc.constantFrom("x", "y"), fc.constantFrom(null, "1"), fc.constantFrom("1", "2")).map(([k, e, v]) => cas(k, e, v))
      ),
      output: fc.oneof(fc.constant(written), fc.constantFrom(null, "1", "2").map(value), fc.boolean().map((ok) => swapped(ok, ok ? "2" : "1"))),
      answered: fc.boolean()
    }),
    { maxLength: 7 }
  )
  .map((draws) => {
    const events: Array<Event> = []
    const open = new Map<string, KvOutput>()
    // A client whose operation never returns stays pending to the end.
    const pending = new Set<string>()
    for (const draw of draws) {
      if (pending.has(draw.client)) continue
      const output = open.get(draw.client)
      if (output !== undefined) {
        open.delete(draw.client)
        events.push(ret(draw.client, output))
        continue
      }
      events.push(invoke(draw.client, draw.input))
      // An output of the family the input gives, so that many histories are linearizable.
      const computed = kvSpec.apply({}, draw.input).output
      if (draw.answered) open.set(draw.client, draw.output._tag === computed._tag ? draw.output : computed)
      else pending.add(draw.client)
    }
    for (const [client, output] of open) events.push(ret(client, output))
    return events
  })

describe("checkLinearizability against the definition", () => {
  it("agrees with a brute-force search on random small histories", () => {
    let linearizableSeen = 0
    let notSeen = 0
    fc.assert(
      fc.property(arbitraryHistory, (history) => {
        const operations = operationsOf(history)
        const expected = linearizableByDefinition(operations)
        if (expected) linearizableSeen++
        else notSeen++
        expect(checkLinearizability(kvSpec, operations)._tag).toBe(expected ? "Linearizable" : "NotLinearizable")
      }),
      { numRuns: 3000 }
    )
    expect(linearizableSeen).toBeGreaterThan(300)
    expect(notSeen).toBeGreaterThan(300)
  })
})
