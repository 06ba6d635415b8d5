/**
 * The sequential key-value store: what Raft and Multi-Paxos replicate, what
 * the runtime serves over HTTP, and the specification their client histories
 * are checked against for linearizability.
 */
import { Schema } from "effect"
import { bucketGet, bucketSet, bucketsWithout, bucketUpdate, setEntry } from "./buckets.ts"
import type { Buckets } from "./buckets.ts"
import { reply } from "@parley/core/model"
import type { ClientId, Output, SequentialSpec } from "@parley/core/model"

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

/**
 * Applies a write to a store the caller owns: a fresh copy it is building.
 * A batch of commands (Raft applying a run of committed entries) copies the
 * store once and applies them all to that copy, instead of copying it per
 * command, which costs as much as the store is large.
 */
export const applyKvInPlace = (store: Record<string, string>, input: KvInput): KvOutput => {
  const current = Object.hasOwn(store, input.key) ? store[input.key]! : null
  switch (input._tag) {
    case "Put":
      setEntry(store, input.key, input.value)
      return written
    case "Get":
      return { _tag: "Value", value: current }
    case "Delete":
      if (current !== null) delete store[input.key]
      return { _tag: "Deleted", existed: current !== null }
    case "Cas":
      if (current !== input.expected) return { _tag: "Swapped", ok: false, current }
      setEntry(store, input.key, input.value)
      return { _tag: "Swapped", ok: true, current: input.value }
  }
}

/** Whether `input` may change the store; a Get never does. */
export const kvWrites = (input: KvInput): boolean => input._tag !== "Get"

export const applyKv = (store: KvStore, input: KvInput): { readonly store: KvStore; readonly output: KvOutput } => {
  if (!kvWrites(input)) return { store, output: applyKvInPlace(store as Record<string, string>, input) }
  const copy: Record<string, string> = { ...store }
  const output = applyKvInPlace(copy, input)
  const changed = input._tag === "Put" || (input._tag === "Delete" && output._tag === "Deleted" && output.existed) ||
    (output._tag === "Swapped" && output.ok)
  return { store: changed ? copy : store, output }
}

/**
 * A client's session with a replicated store (Raft thesis §6.3): its last
 * applied command, that command's output, and the log time it was stamped
 * with (0 where commands carry no time, as in a model).
 */
export interface KvSession {
  readonly seq: number
  readonly output: KvOutput
  readonly at: number
}

/** A `KvSession` as it crosses a boundary: in a snapshot on the wire or on disk. */
export const KvSessionSchema = Schema.Struct({ seq: Schema.Int, output: KvOutput, at: Schema.Int })

/** `Buckets<V>` as it crosses a boundary (a snapshot on the wire or on disk): one record, or a record of bucket records. */
export const bucketsSchema = <V extends Schema.Constraint>(value: V) =>
  Schema.Union([
    Schema.Struct({ entries: Schema.Record(Schema.String, value) }),
    Schema.Struct({ size: Schema.Int, buckets: Schema.Record(Schema.String, Schema.Record(Schema.String, value)) })
  ])

/**
 * A replicated store's command: whose, which of theirs, and what; `at`, the
 * time the leader stamped on it, when it has a clock (a runtime's); and
 * `expireBefore` on the commands that also end the sessions idle since
 * before that time. Both are read from the log, so every replica keeps and
 * drops the same sessions.
 */
export interface KvCommand {
  readonly client: string
  readonly seq: number
  readonly op: KvInput
  readonly at?: number
  readonly expireBefore?: number
}

/**
 * Applies a committed command to a replicated store kept in buckets, as Raft
 * and Multi-Paxos apply their logs: unless the client's session shows this
 * command, or a later one, applied already (a retry chosen twice takes
 * effect once). Undefined for such a duplicate.
 */
export const applyKvCommand = (
  store: Buckets<string>,
  sessions: Buckets<KvSession>,
  command: KvCommand
): { readonly store: Buckets<string>; readonly sessions: Buckets<KvSession>; readonly output: KvOutput } | undefined => {
  const session = bucketGet(sessions, command.client)
  if (session !== undefined && command.seq <= session.seq) return undefined
  const applied = bucketUpdate(store, command.op.key, (bucket) => {
    const before = bucket[command.op.key]
    const output = applyKvInPlace(bucket, command.op)
    return { changed: bucket[command.op.key] !== before, result: output }
  })
  const output = applied.result
  const updated: KvSession = { seq: command.seq, output, at: command.at ?? 0 }
  return { store: applied.map, sessions: bucketSet(sessions, command.client, updated), output }
}

/**
 * The sessions without those whose last command was stamped before
 * `before` (thesis §6.3): a client idle that long has given up retrying.
 * A request of an ended session is a new operation again, so a retry
 * after its session ended may take effect twice.
 */
export const expireSessions = (sessions: Buckets<KvSession>, before: number): Buckets<KvSession> =>
  bucketsWithout(sessions, (session) => session.at < before)

/** A Get answered from a replicated store kept in buckets, without going through the log. */
export const readKv = (store: Buckets<string>, key: string): KvOutput => ({ _tag: "Value", value: bucketGet(store, key) ?? null })

export const kvSpec: SequentialSpec<KvStore, KvInput, KvOutput> = {
  name: "key-value map",
  init: () => ({}),
  apply: (store, input) => {
    const applied = applyKv(store, input)
    return { model: applied.store, output: applied.output }
  },
  partition: (input) => input.key
}

/**
 * A client's request to a replicated store: the client's own sequence
 * number makes a retried command take effect once.
 */
export const KvRequest = Schema.Struct({
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  op: KvInput,
  /** The host's clock when the request reached the reducer (a hosted spec's `stampRequest`); never set by a client. */
  at: Schema.optionalKey(Schema.Int)
})
export type KvRequest = typeof KvRequest.Type

/** The command with this `seq` was applied, with this output. */
export const KvDone = Schema.TaggedStruct("Done", { seq: Schema.Int, output: KvOutput })
/** This node does not take requests; `leader` is the node it believes does, if it knows one. */
export const KvRedirect = Schema.TaggedStruct("Redirect", { seq: Schema.Int, leader: Schema.NullOr(Schema.String) })
export const KvResponse = Schema.Union([KvDone, KvRedirect])
export type KvResponse = typeof KvResponse.Type

/**
 * A leader's answer to a request that its client's session shows applied
 * already: the latest is answered again with its remembered output (a retry
 * whose answer was lost), an older one is dropped (its client has moved on).
 * False, with nothing sent, for a request not yet applied.
 */
export const answeredFromSession = <M, T>(
  sessions: Buckets<KvSession>,
  client: ClientId,
  seq: number,
  out: Array<Output<M, T, KvResponse>>
): boolean => {
  const session = bucketGet(sessions, client)
  if (session === undefined || seq > session.seq) return false
  if (seq === session.seq) out.push(reply(client, { _tag: "Done", seq, output: session.output }))
  return true
}

/** The key-value map as a sequential specification of whole requests and responses, so client histories need no translation. */
export const kvRequestSpec: SequentialSpec<KvStore, KvRequest, KvResponse> = {
  name: "key-value map",
  init: kvSpec.init,
  apply: (store, request) => {
    const applied = kvSpec.apply(store, request.op)
    return { model: applied.model, output: { _tag: "Done", seq: request.seq, output: applied.output } }
  },
  partition: (request) => request.op.key
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

/** `#2 Put(x=1)`. */
export const formatKvRequest = (request: KvRequest): string => `#${request.seq} ${formatKvInput(request.op)}`

/** `#2 Written`, `#2 Redirect(n3)`. */
export const formatKvResponse = (response: KvResponse): string =>
  response._tag === "Done"
    ? `#${response.seq} ${formatKvOutput(response.output)}`
    : `#${response.seq} Redirect(${response.leader ?? "no leader"})`

/**
 * An operation as scenario files and test harnesses spell it: `put k v`,
 * `get k`, `delete k`, `cas k expected v` (`-` expects the key absent).
 */
export const parseKvInput = (words: ReadonlyArray<string>): KvInput => {
  const [kind, key, ...values] = words
  if (key === undefined) throw new Error(`request needs an operation and a key, got "${words.join(" ")}"`)
  if (kind === "get" && values.length === 0) return { _tag: "Get", key }
  if (kind === "delete" && values.length === 0) return { _tag: "Delete", key }
  if (kind === "put" && values.length === 1) return { _tag: "Put", key, value: values[0]! }
  if (kind === "cas" && values.length === 2) return { _tag: "Cas", key, expected: values[0] === "-" ? null : values[0]!, value: values[1]! }
  throw new Error(`unknown operation "${words.join(" ")}"; use put k v, get k, cas k expected v, delete k`)
}
