/**
 * An append-only list: `append` adds its value at the end, `read` returns
 * the whole list (nil reads as empty). The model keeps its hash as it grows,
 * so a long list is hashed once per append rather than once per look.
 */
import { equals } from "@parley/core"
import type { SequentialSpec } from "@parley/core"
import { Result, Schema } from "effect"
import { decodeValue, hashScalar, showScalar, unknownFunction } from "../model.ts"
import type { HistoryModel } from "../model.ts"
import { Scalar } from "../record.ts"

export interface ListModel {
  readonly items: ReadonlyArray<Scalar>
  readonly hash: number
}

export type ListInput = { readonly f: "read" } | { readonly f: "append"; readonly value: Scalar }
export type ListOutput = ReadonlyArray<Scalar> | "ok"

const listSpec: SequentialSpec<ListModel, ListInput, ListOutput> = {
  name: "list",
  init: () => ({ items: [], hash: 0 }),
  apply: (model, input) => {
    if (input.f === "read") return { model, output: model.items }
    const hash = Math.imul(model.hash ^ hashScalar(input.value), 0x01000193) + model.items.length
    return { model: { items: [...model.items, input.value], hash }, output: "ok" }
  },
  readOnly: (input) => input.f === "read",
  hash: (model) => model.hash,
  equal: (a, b) => a.hash === b.hash && equals(a.items, b.items)
}

const ReadList = Schema.NullOr(Schema.Array(Scalar))

export const list: HistoryModel<ListModel, ListInput, ListOutput> = {
  name: "list",
  summary: "one append-only list: append, read (the whole list)",
  spec: listSpec,
  read: (operation) => {
    if (operation.key !== undefined) return Result.fail("the list model has no keys")
    const completed = operation.outcome === "ok"
    switch (operation.f) {
      case "read":
        if (!completed) return Result.succeed({ input: { f: "read" }, output: undefined })
        return Result.map(decodeValue(ReadList, operation.okValue, "the list a read returned"), (items) => ({
          input: { f: "read" },
          output: items ?? []
        }))
      case "append":
        return Result.map(decodeValue(Scalar, operation.invokeValue, "the value an append adds"), (value) => ({
          input: { f: "append", value },
          output: completed ? "ok" : undefined
        }))
    }
    return unknownFunction("list", operation.f, ["read", "append"])
  },
  showInput: (input) => (input.f === "read" ? "read" : `append ${showScalar(input.value)}`),
  showOutput: (output) => (output === "ok" ? "ok" : `[${output.map(showScalar).join(" ")}]`),
  showModel: (model) => `[${model.items.map(showScalar).join(" ")}]`
}
