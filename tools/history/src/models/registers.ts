/**
 * Registers: `register` (read, write), `cas-register` (and compare-and-set
 * `[from, to]`, which an `ok` says succeeded; a `fail` one did not happen),
 * and `kv`, a map of such registers checked one key at a time. A register
 * starts empty (nil), as Jepsen's do.
 */
import type { SequentialSpec } from "@parley/core"
import { Result, Schema } from "effect"
import { decodeValue, hashScalar, showScalar, unknownFunction } from "../model.ts"
import type { HistoryModel, ModelOperation, RecordedOperation } from "../model.ts"
import { Scalar } from "../record.ts"

export type RegisterValue = Scalar | null

export type RegisterInput =
  | { readonly f: "read" }
  | { readonly f: "write"; readonly value: Scalar }
  | { readonly f: "cas"; readonly from: RegisterValue; readonly to: Scalar }

/** A read's value, a write's "ok", whether a compare-and-set swapped. */
export type RegisterOutput = RegisterValue | boolean

const registerSpec = (name: string): SequentialSpec<RegisterValue, RegisterInput, RegisterOutput> => ({
  name,
  init: () => null,
  apply: (model, input) => {
    switch (input.f) {
      case "read":
        return { model, output: model }
      case "write":
        return { model: input.value, output: "ok" }
      case "cas":
        return model === input.from ? { model: input.to, output: true } : { model, output: false }
    }
  },
  readOnly: (input) => input.f === "read",
  hash: hashScalar,
  equal: (a, b) => a === b
})

const CasPair = Schema.Tuple([Schema.NullOr(Scalar), Scalar])

/** A register operation from its `f` and values; `withCas` says whether compare-and-set is one. */
const readRegister = (
  model: string,
  withCas: boolean,
  f: string,
  invokeValue: unknown,
  okValue: unknown,
  outcome: RecordedOperation["outcome"]
): Result.Result<ModelOperation<RegisterInput, RegisterOutput>, string> => {
  const completed = outcome === "ok"
  switch (f) {
    case "read": {
      if (!completed) return Result.succeed({ input: { f: "read" }, output: undefined })
      return Result.map(decodeValue(Schema.NullOr(Scalar), okValue, "the value a read returned"), (value) => ({ input: { f: "read" }, output: value }))
    }
    case "write":
      return Result.map(decodeValue(Scalar, invokeValue, "the value a write writes"), (value) => ({
        input: { f: "write", value },
        output: completed ? "ok" : undefined
      }))
    case "cas":
      if (withCas) {
        return Result.map(decodeValue(CasPair, invokeValue, "a compare-and-set's [from, to]"), ([from, to]) => ({
          input: { f: "cas", from, to },
          output: completed ? true : undefined
        }))
      }
  }
  return unknownFunction(model, f, withCas ? ["read", "write", "cas"] : ["read", "write"])
}

const showRegisterInput = (input: RegisterInput): string => {
  switch (input.f) {
    case "read":
      return "read"
    case "write":
      return `write ${showScalar(input.value)}`
    case "cas":
      return `cas ${showScalar(input.from)}→${showScalar(input.to)}`
  }
}

const showRegisterOutput = (output: RegisterOutput): string => (typeof output === "boolean" ? (output ? "swapped" : "unchanged") : showScalar(output))

const singleRegister = (name: string, summary: string, withCas: boolean): HistoryModel<RegisterValue, RegisterInput, RegisterOutput> => ({
  name,
  summary,
  spec: registerSpec(name),
  read: (operation) =>
    operation.key === undefined
      ? readRegister(name, withCas, operation.f, operation.invokeValue, operation.okValue, operation.outcome)
      : Result.fail(`the ${name} model has no keys; for a map of registers use --model kv`),
  showInput: showRegisterInput,
  showOutput: showRegisterOutput,
  showModel: showScalar
})

export const register = singleRegister("register", "one register: read, write", false)

export const casRegister = singleRegister("cas-register", "one register: read, write, cas [from to]", true)

export interface KvInput {
  readonly key: string
  readonly op: RegisterInput
}

const KeyedValue = Schema.Tuple([Scalar, Schema.Unknown])

/** The key and the values inside: from `key`, or from jepsen.independent's `[key value]` tuples. */
const unwrapKey = (operation: RecordedOperation): Result.Result<{ key: Scalar; invokeValue: unknown; okValue: unknown }, string> => {
  if (operation.key !== undefined) return Result.succeed({ key: operation.key, invokeValue: operation.invokeValue, okValue: operation.okValue })
  const what = 'an operation with no "key" field: its value as [key value]'
  return Result.flatMap(decodeValue(KeyedValue, operation.invokeValue, what), ([key, invokeValue]) => {
    if (operation.outcome !== "ok") return Result.succeed({ key, invokeValue, okValue: undefined })
    return Result.map(decodeValue(KeyedValue, operation.okValue, what), ([, okValue]) => ({ key, invokeValue, okValue }))
  })
}

const kvSpecOf = (inner: SequentialSpec<RegisterValue, RegisterInput, RegisterOutput>): SequentialSpec<RegisterValue, KvInput, RegisterOutput> => ({
  name: "kv",
  init: inner.init,
  apply: (model, input) => inner.apply(model, input.op),
  partition: (input) => input.key,
  readOnly: (input) => input.op.f === "read",
  hash: hashScalar,
  equal: (a, b) => a === b
})

export const kv: HistoryModel<RegisterValue, KvInput, RegisterOutput> = {
  name: "kv",
  summary: "a map of cas-registers, checked key by key: read, write, cas, on a \"key\" (or Jepsen's [key value] tuples)",
  spec: kvSpecOf(registerSpec("kv")),
  read: (operation) =>
    Result.flatMap(unwrapKey(operation), ({ key, invokeValue, okValue }) =>
      Result.map(readRegister("kv", true, operation.f, invokeValue, okValue, operation.outcome), ({ input, output }) => ({
        input: { key: String(key), op: input },
        output
      }))),
  showInput: (input) => `${showRegisterInput(input.op)} [${input.key}]`,
  showOutput: showRegisterOutput,
  showModel: showScalar
}
