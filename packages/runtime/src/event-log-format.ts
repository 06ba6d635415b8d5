/**
 * The event log's format: JSON lines, one record per line. Each run of a
 * node (an incarnation) begins with a `Start` record naming the spec, the
 * node, its peers, the spec's options and variant; then one `Step` record
 * per reducer step: what the reducer was told (`Init`, `Recover` with the
 * durable state it recovered from, a `Message` with its sender, a `Timer`,
 * a client `Request` as the reducer took it, stamp included) and what it
 * produced: its outputs, and, on the last step of each batch the node
 * loop ran, a digest of the durable state it saved after that batch (the
 * steps before it in the batch changed no state that reached the disk).
 *
 * Payloads (messages, requests, responses, durable state) are written as
 * the spec's Schemas encode them and decoded with them when read back;
 * timers have no Schema and are the reducer's own plain data. Writer
 * (event-log.ts) and reader (`@parley/validate`) share this module.
 */
import { fingerprint } from "@parley/core"
import type { AnyHostedSpec, Output } from "@parley/core"
import { Effect, Schema } from "effect"
import { messageJson } from "./message-json.ts"
import { unchangedPrefix } from "./unchanged-prefix.ts"

/**
 * Version 3: the durable digest on a batch's last step only, the state the
 * node saved. Version 2 (read still) had one on every step; version 1
 * hashed a log chunk whole where 2 and 3 chain its entries one by one.
 */
export const EventLogFormat = "parley-events/3"
/** The formats `parley validate` reads: a version-2 log is a version-3 one with a digest on every step. */
export const readableFormats = ["parley-events/2", EventLogFormat] as const

export const StartRecord = Schema.TaggedStruct("Start", {
  format: Schema.Literals(readableFormats),
  spec: Schema.String,
  node: Schema.String,
  /** Every node of the cluster, in the cluster file's order (the reducer's `NodeContext.nodes`). */
  nodes: Schema.Array(Schema.String),
  /** The spec's options as its Schema encodes them. */
  options: Schema.Unknown,
  variant: Schema.optionalKey(Schema.String),
  pid: Schema.Int,
  /** Milliseconds since the epoch, by this node's clock. */
  at: Schema.Finite
})
export type StartRecord = typeof StartRecord.Type

export const LoggedInput = Schema.Union([
  Schema.TaggedStruct("Init", {}),
  Schema.TaggedStruct("Recover", { durable: Schema.Unknown }),
  Schema.TaggedStruct("Message", { from: Schema.String, message: Schema.Unknown }),
  Schema.TaggedStruct("Timer", { timer: Schema.Unknown }),
  Schema.TaggedStruct("Request", { client: Schema.String, request: Schema.Unknown })
])
export type LoggedInput = typeof LoggedInput.Type

export const LoggedOutput = Schema.Union([
  Schema.TaggedStruct("Send", { to: Schema.String, message: Schema.Unknown }),
  Schema.TaggedStruct("SetTimer", { timer: Schema.Unknown }),
  Schema.TaggedStruct("CancelTimer", { timer: Schema.Unknown }),
  Schema.TaggedStruct("Reply", { client: Schema.String, response: Schema.Unknown })
])
export type LoggedOutput = typeof LoggedOutput.Type

export const StepRecord = Schema.TaggedStruct("Step", {
  /** Milliseconds since the epoch when the step ran, by this node's clock. */
  at: Schema.Finite,
  input: LoggedInput,
  out: Schema.Array(LoggedOutput),
  /**
   * `durableDigester`'s digest of the durable state after the step, on a
   * batch's last step (the state the node saved); absent on the others.
   */
  durable: Schema.optionalKey(Schema.String)
})
export type StepRecord = typeof StepRecord.Type

export const EventLogRecord = Schema.Union([StartRecord, StepRecord])
export type EventLogRecord = typeof EventLogRecord.Type

/** 64 MiB a file, eight files: at most half a gigabyte per node. */
export const defaultEventLog = { maxFileBytes: 64 * 1024 * 1024, maxFiles: 8 } as const

/** Settings of a node's event log, as the cluster file's `eventLog` gives them; absent there, nodes log nothing. */
export const EventLogSettings = Schema.Struct({
  /** A file grows to about this size before the log goes on in a new one. */
  maxFileBytes: Schema.Int.check(Schema.isBetween({ minimum: 4096, maximum: 2 ** 40 })).pipe(
    Schema.withDecodingDefault(Effect.succeed(defaultEventLog.maxFileBytes))
  ),
  /** The most files kept per node; past it the oldest goes, so a node's log is bounded by files times size. */
  maxFiles: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })).pipe(Schema.withDecodingDefault(Effect.succeed(defaultEventLog.maxFiles)))
})
export type EventLogSettings = typeof EventLogSettings.Type

/** A node's log files in a directory: `ID.events.N.jsonl`, N counting up from 1 as the log rotates. */
export const eventFilePattern = (node: string): RegExp => new RegExp(`^${node.replace(/[.]/g, "\\.")}\\.events\\.(\\d+)\\.jsonl$`)
export const eventFileName = (node: string, number: number): string => `${node}.events.${number}.jsonl`

const digests = new WeakMap<object, string>()

/** A value's digest, remembered by identity: an array's is made of its items' (a log chunk grows by one entry and keeps the others). */
const digestOf = (value: unknown, depth: number): string => {
  if (typeof value !== "object" || value === null) return fingerprint(value).toString(16)
  let digest = digests.get(value)
  if (digest === undefined) {
    digest = Array.isArray(value) && depth > 0 ? fingerprint(value.map((item) => digestOf(item, depth - 1))).toString(16) : fingerprint(value).toString(16)
    digests.set(value, digest)
  }
  return digest
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A chain of digests over a top-level array: each item that is an array (a
 * log chunk) by its elements one by one and then a mark for its end, any
 * other item by its digest. `links[starts[k]]` covers every item before
 * item `k`. Kept and cut back in place for the next state, which shares
 * most of it.
 */
interface Chain {
  items: ReadonlyArray<unknown>
  readonly starts: Array<number>
  readonly links: Array<string>
}

const link = (previous: string, digest: string): string => fingerprint([previous, digest]).toString(16)
/** What ends an inner array in a chain: no digest (hex digits) reads so. */
const innerEnd = "]"

/**
 * Digests of durable states, one after another. The durable state's
 * 64-bit digest is made with core's fingerprint: each field by its digest,
 * remembered by identity, and a top-level array (Raft's log, in chunks) as
 * a chain over its items, a chunk by its entries. Reducers keep what a step
 * did not change, so a step costs what it touched: appending an entry
 * hashes that entry and two links, not its chunk, whatever the log's length.
 * The digest depends on the state alone; the chains only save work.
 */
export const durableDigester = () => {
  const chains = new Map<string, Chain>()
  const chainOf = (field: string, items: ReadonlyArray<unknown>): string => {
    let chain = chains.get(field)
    if (chain === undefined) {
      chain = { items: [], starts: [0], links: [fingerprint([]).toString(16)] }
      chains.set(field, chain)
    }
    const { links, starts } = chain
    const keep = unchangedPrefix(chain.items, items)
    const before = chain.items[keep]
    const after = items[keep]
    const kept = Array.isArray(before) && Array.isArray(after) ? unchangedPrefix(before, after) : 0
    starts.length = keep + 1
    links.length = starts[keep]! + kept + 1
    for (let index = keep; index < items.length; index++) {
      const item = items[index]
      if (Array.isArray(item)) {
        for (let inner = index === keep ? kept : 0; inner < item.length; inner++) links.push(link(links[links.length - 1]!, digestOf(item[inner], 0)))
        links.push(link(links[links.length - 1]!, innerEnd))
      } else {
        links.push(link(links[links.length - 1]!, digestOf(item, 0)))
      }
      starts.push(links.length - 1)
    }
    chain.items = items
    return links[links.length - 1]!
  }
  return (durable: unknown): string => {
    if (!isRecord(durable)) return digestOf(durable, 2)
    const summary: Record<string, unknown> = {}
    for (const key in durable) {
      const value = durable[key]
      // A field other than an array by its own digest, remembered by identity: Raft's snapshot holds the whole store and changes once in a thousand steps.
      summary[key] = Array.isArray(value) ? chainOf(key, value) : digestOf(value, 0)
    }
    return fingerprint(summary).toString(16)
  }
}

/**
 * A step's output as the log's JSON text: `outputEncoder`'s value made
 * text, a sent message's text shared with the wire (message-json.ts).
 */
export const outputJson = (hosted: AnyHostedSpec) => {
  const encode = outputEncoder(hosted)
  const messageText = messageJson(hosted.message)
  return (output: Output<unknown, unknown, unknown>): string =>
    output._tag === "Send"
      ? `{"_tag":"Send","to":${JSON.stringify(output.to)},"message":${messageText(output.message)}}`
      : JSON.stringify(encode(output))
}

/** A step's outputs as the log writes them, messages and responses in the spec's encoded form: the node writes them so, and `parley validate` compares its replay so. */
export const outputEncoder = (hosted: AnyHostedSpec) => {
  const message = Schema.encodeSync(hosted.message)
  const response = Schema.encodeSync(hosted.response)
  return (output: Output<unknown, unknown, unknown>): LoggedOutput => {
    switch (output._tag) {
      case "Send":
        return { _tag: "Send", to: output.to, message: message(output.message) }
      case "SetTimer":
      case "CancelTimer":
        return { _tag: output._tag, timer: output.timer }
      case "Reply":
        return { _tag: "Reply", client: output.client, response: response(output.response) }
    }
  }
}
