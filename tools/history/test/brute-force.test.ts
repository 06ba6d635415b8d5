import { checkLinearizability, equals } from "@parley/core"
import type { Operation, SequentialSpec } from "@parley/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { list } from "../src/models/list.ts"
import type { ListInput, ListOutput } from "../src/models/list.ts"
import { casRegister, kv } from "../src/models/registers.ts"
import type { KvInput, RegisterInput, RegisterOutput } from "../src/models/registers.ts"

/**
 * The definition, searched by brute force: some order of every returned
 * operation and some of the pending ones, each placed only once every
 * operation that returned before it was invoked is placed, that the model
 * accepts with every returned output.
 */
const linearizableByDefinition = <M, I, O>(spec: SequentialSpec<M, I, O>, operations: ReadonlyArray<Operation<I, O>>): boolean => {
  const placed = new Set<number>()
  const extend = (model: M): boolean => {
    const open = operations.filter((_, index) => !placed.has(index))
    if (open.every((operation) => operation.outcome._tag === "Pending")) return true
    return operations.some((operation, index) => {
      if (placed.has(index)) return false
      const mustGoFirst = open.some((other) => other.outcome._tag === "Returned" && other.outcome.returnedAt < operation.invokedAt)
      if (mustGoFirst) return false
      const applied = spec.apply(model, operation.input)
      if (operation.outcome._tag === "Returned" && !equals(applied.output, operation.outcome.output)) return false
      placed.add(index)
      const found = extend(applied.model)
      placed.delete(index)
      return found
    })
  }
  return extend(spec.init())
}

interface Draw<I, O> {
  readonly client: number
  readonly input: I
  readonly output: O
  readonly outcome: "ok" | "unknown"
}

/**
 * A history of up to four clients drawn step by step: an idle client
 * invokes, a busy one completes, with its drawn output or an unknown
 * outcome; clients still busy at the end stay pending.
 */
const historyOf = <I, O>(draws: ReadonlyArray<Draw<I, O>>): Array<Operation<I, O>> => {
  const operations: Array<Operation<I, O>> = []
  const open = new Map<number, { draw: Draw<I, O>; invokedAt: number }>()
  draws.forEach((draw, at) => {
    const invoked = open.get(draw.client)
    if (invoked === undefined) {
      open.set(draw.client, { draw, invokedAt: at })
      return
    }
    open.delete(draw.client)
    const outcome = invoked.draw.outcome === "ok" ? { _tag: "Returned" as const, output: invoked.draw.output, returnedAt: at } : { _tag: "Pending" as const }
    operations.push({ client: String(draw.client), input: invoked.draw.input, invokedAt: invoked.invokedAt, outcome })
  })
  for (const { draw, invokedAt } of open.values()) operations.push({ client: String(draw.client), input: draw.input, invokedAt, outcome: { _tag: "Pending" } })
  return operations
}

const draws = <I, O>(input: fc.Arbitrary<I>, output: fc.Arbitrary<O>): fc.Arbitrary<Array<Operation<I, O>>> =>
  fc.array(
    fc.record({ client: fc.integer({ min: 0, max: 3 }), input, output, outcome: fc.constantFrom<"ok" | "unknown">("ok", "ok", "ok", "unknown") }),
    { maxLength: 14 }
  ).map(historyOf)

const value = fc.constantFrom(1, 2)
const registerInput: fc.Arbitrary<RegisterInput> = fc.oneof(
  fc.constant({ f: "read" as const }),
  value.map((v) => ({ f: "write" as const, value: v })),
  fc.tuple(fc.constantFrom(null, 1, 2), value).map(([from, to]) => ({ f: "cas" as const, from, to }))
)
const registerOutput: fc.Arbitrary<RegisterOutput> = fc.constantFrom(null, 1, 2, "ok", true)

/**
 * A partitioned spec as one object: a map from each partition to its own
 * model, so the brute force does not take the checker's partitioning on trust.
 */
const wholeObject = <M, I, O>(spec: SequentialSpec<M, I, O>): SequentialSpec<ReadonlyMap<string, M>, I, O> => ({
  name: spec.name,
  init: () => new Map(),
  apply: (models, input) => {
    const key = spec.partition?.(input) ?? ""
    const applied = spec.apply(models.get(key) ?? spec.init(), input)
    return { model: new Map(models).set(key, applied.model), output: applied.output }
  }
})

/** The prefix a verdict gives replays with every returned output, to the model it names, and leaves out the blocked operation. */
const expectValidPrefix = <M, I, O>(spec: SequentialSpec<M, I, O>, prefix: ReadonlyArray<Operation<I, O>>, model: M, blocked: Operation<I, O>) => {
  let at = spec.init()
  for (const operation of prefix) {
    const applied = spec.apply(at, operation.input)
    if (operation.outcome._tag === "Returned") expect(applied.output).toEqual(operation.outcome.output)
    at = applied.model
  }
  expect(at).toEqual(model)
  expect(prefix).not.toContain(blocked)
  expect(blocked.outcome._tag).toBe("Returned")
}

/** Checks `runs` random histories both ways and insists that both verdicts were seen often. */
const agreeOn = <M, I, O>(spec: SequentialSpec<M, I, O>, histories: fc.Arbitrary<Array<Operation<I, O>>>, runs: number) => {
  const seen = { Linearizable: 0, NotLinearizable: 0 }
  fc.assert(
    fc.property(histories, (operations) => {
      const expected = linearizableByDefinition(wholeObject(spec), operations) ? "Linearizable" : "NotLinearizable"
      seen[expected]++
      const result = checkLinearizability(spec, operations)
      expect(result._tag).toBe(expected)
      if (result._tag === "NotLinearizable") expectValidPrefix(spec, result.prefix, result.model, result.blocked)
    }),
    { numRuns: runs, seed: 18 }
  )
  expect(seen.Linearizable).toBeGreaterThan(runs / 10)
  expect(seen.NotLinearizable).toBeGreaterThan(runs / 10)
}

describe("the search agrees with a brute-force search of the definition", () => {
  it("on cas-register histories with unknown outcomes", () => {
    // An output of the right kind for its input, so that many histories are linearizable.
    const fitting = (operations: Array<Operation<RegisterInput, RegisterOutput>>) =>
      operations.map((operation) => {
        if (operation.outcome._tag === "Pending") return operation
        const output = operation.outcome.output
        const kind = operation.input.f === "write" ? "ok" : operation.input.f === "cas" ? true : output === "ok" || output === true ? null : output
        return { ...operation, outcome: { ...operation.outcome, output: kind } }
      })
    agreeOn(casRegister.spec, draws(registerInput, registerOutput).map(fitting), 3000)
  })

  it("on key-value histories over two keys", () => {
    const input: fc.Arbitrary<KvInput> = fc.tuple(fc.constantFrom("x", "y"), registerInput).map(([key, op]) => ({ key, op }))
    const fitting = (operations: Array<Operation<KvInput, RegisterOutput>>) =>
      operations.map((operation) => {
        if (operation.outcome._tag === "Pending") return operation
        const output = operation.outcome.output
        const kind = operation.input.op.f === "write" ? "ok" : operation.input.op.f === "cas" ? true : output === "ok" || output === true ? null : output
        return { ...operation, outcome: { ...operation.outcome, output: kind } }
      })
    agreeOn(kv.spec, draws(input, registerOutput).map(fitting), 2000)
  })

  it("on append-only list histories", () => {
    const input: fc.Arbitrary<ListInput> = fc.oneof(fc.constant({ f: "read" as const }), value.map((v) => ({ f: "append" as const, value: v })))
    const output: fc.Arbitrary<ListOutput> = fc.constantFrom([], [1], [2], [1, 2], [2, 1], [1, 1])
    const fitting = (operations: Array<Operation<ListInput, ListOutput>>) =>
      operations.map((operation) =>
        operation.outcome._tag === "Returned" && operation.input.f === "append" ? { ...operation, outcome: { ...operation.outcome, output: "ok" as const } } : operation
      )
    agreeOn(list.spec, draws(input, output).map(fitting), 2000)
  })
})
