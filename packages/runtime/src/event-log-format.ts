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
import type { AnyHostedSpec, Output } from "@parley/core"
import { Effect, Schema } from "effect"
import { compiled, encoderOf } from "./compiled-schema.ts"
import { durableDigester, hexDigester } from "./durable-digest.ts"
import type { Digester } from "./durable-digest.ts"
import { messageJson } from "./message-json.ts"

export { durableDigester, hexDigester } from "./durable-digest.ts"
export type { Digester } from "./durable-digest.ts"

/**
 * Version 4: the durable digest made of 32-bit words, not hex texts
 * (durable-digest.ts). Version 3 (read still) had the digest on a batch's
 * last step only, the state the node saved, as 4 has; version 2 (read
 * still) had one on every step; version 1 hashed a log chunk whole where
 * 2, 3 and 4 chain its entries one by one.
 */
export const EventLogFormat = "parley-events/4"
/** The formats `parley validate` reads: a version-3 log is a version-4 one with another digest, a version-2 one a version-3 one with a digest on every step. */
export const readableFormats = ["parley-events/2", "parley-events/3", EventLogFormat] as const
export type ReadableFormat = typeof readableFormats[number]

/** The durable digester of a log of `format`: the one its node digested with. */
export const digesterFor = (format: ReadableFormat): Digester => format === EventLogFormat ? durableDigester() : hexDigester()

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

/**
 * A step's output as the log's JSON text, built as text: what
 * `outputEncoder` gives, a sent message's text shared with the wire
 * (message-json.ts).
 */
export const outputJson = (hosted: AnyHostedSpec) => {
  const response = encoderOf(hosted.response)
  const messageText = messageJson(hosted.message)
  return (output: Output<unknown, unknown, unknown>): string => {
    switch (output._tag) {
      case "Send":
        return `{"_tag":"Send","to":${JSON.stringify(output.to)},"message":${messageText(output.message)}}`
      case "SetTimer":
      case "CancelTimer":
        return `{"_tag":"${output._tag}","timer":${JSON.stringify(output.timer)}}`
      case "Reply":
        return `{"_tag":"Reply","client":${JSON.stringify(output.client)},"response":${JSON.stringify(response(output.response))}}`
    }
  }
}

/**
 * A step's outputs as the log writes them, messages and responses in the
 * spec's encoded form (a response as it is when its Schema is plain JSON,
 * `encoderOf`): the node writes them so, and `parley validate` compares its
 * replay so.
 */
export const outputEncoder = (hosted: AnyHostedSpec) => {
  const message = Schema.encodeSync(compiled(hosted.message))
  const response = encoderOf(hosted.response)
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
