/**
 * The sequential key-value store: what Raft and Multi-Paxos replicate, what
 * the runtime serves over HTTP, and the specification their client histories
 * are checked against for linearizability.
 */
import { Schema } from "effect"
import type { SequentialSpec } from "./linearizability.ts"

export const KvInput = Schema.Union([
  Schema.TaggedStruct("Put", { key: Schema.String, value: Schema.String }),
  Schema.TaggedStruct("Get", { key: Schema.String }),
  Schema.TaggedStruct("Delete", { key: Schema.String }),
  /** Sets `value` when the current value is `expected`; `null` expects the key to be absent. */
  Schema.TaggedStruct("Cas", { key: Schema.String, expected: Schema.NullOr(Schema.String), value: Schema.String })
])
export type KvInput = typeof KvInput.Type

export const KvOutput = Schema.Union([
  Schema.TaggedStruct("Written", {}),
  Schema.TaggedStruct("Value", { value: Schema.NullOr(Schema.String) }),
  Schema.TaggedStruct("Deleted", { existed: Schema.Boolean }),
  /** `current` is the value after the operation. */
  Schema.TaggedStruct("Swapped", { ok: Schema.Boolean, current: Schema.NullOr(Schema.String) })
])
export type KvOutput = typeof KvOutput.Type

/** Plain data; fingerprints and `equals` ignore key order, so equal stores are one state. */
export type KvStore = Readonly<Record<string, string>>

const written: KvOutput = Object.freeze({ _tag: "Written" })

const without = (store: KvStore, key: string): KvStore => {
  const rest: Record<string, string> = { ...store }
  delete rest[key]
  return rest
}

export const applyKv = (store: KvStore, input: KvInput): { readonly store: KvStore; readonly output: KvOutput } => {
  const current = Object.hasOwn(store, input.key) ? store[input.key]! : null
  switch (input._tag) {
    case "Put":
      return { store: { ...store, [input.key]: input.value }, output: written }
    case "Get":
      return { store, output: { _tag: "Value", value: current } }
    case "Delete":
      return { store: current === null ? store : without(store, input.key), output: { _tag: "Deleted", existed: current !== null } }
    case "Cas":
      return current === input.expected
        ? { store: { ...store, [input.key]: input.value }, output: { _tag: "Swapped", ok: true, current: input.value } }
        : { store, output: { _tag: "Swapped", ok: false, current } }
  }
}

export const kvSpec: SequentialSpec<KvStore, KvInput, KvOutput> = {
  name: "key-value map",
  init: () => ({}),
  apply: (store, input) => {
    const applied = applyKv(store, input)
    return { model: applied.store, output: applied.output }
  },
  partition: (input) => input.key
}

const shown = (value: string | null): string => value ?? "absent"

/** `Put(x=1)`, `Get(x)`, `Delete(x)`, `Cas(x: 1->2)`. */
export const formatKvInput = (input: KvInput): string => {
  switch (input._tag) {
    case "Put":
      return `Put(${input.key}=${input.value})`
    case "Get":
      return `Get(${input.key})`
    case "Delete":
      return `Delete(${input.key})`
    case "Cas":
      return `Cas(${input.key}: ${shown(input.expected)}->${input.value})`
  }
}

/** `Written`, `Value(1)`, `Value(absent)`, `Deleted(true)`, `Swapped(ok, 2)`. */
export const formatKvOutput = (output: KvOutput): string => {
  switch (output._tag) {
    case "Written":
      return "Written"
    case "Value":
      return `Value(${shown(output.value)})`
    case "Deleted":
      return `Deleted(${output.existed})`
    case "Swapped":
      return `Swapped(${output.ok ? "ok" : "failed"}, ${shown(output.current)})`
  }
}
