/**
 * One line of a history, as Jepsen and Knossos write them: a process
 * invokes an operation (`f`, with a `value`, on a `key` for a map) and
 * later completes it with `ok` (it happened, with this value), `fail` (it
 * did not happen) or `info` (nobody knows: a timeout, a crash).
 */
import { Result, Schema } from "effect"

export const RecordType = Schema.Literals(["invoke", "ok", "fail", "info"])
export type RecordType = typeof RecordType.Type

/** A scalar a register holds or a key names. */
export const Scalar = Schema.Union([Schema.Finite, Schema.String])
export type Scalar = typeof Scalar.Type

export const HistoryRecord = Schema.Struct({
  process: Scalar,
  type: RecordType,
  f: Schema.String,
  key: Schema.optional(Scalar),
  /** Read by the model: a write's value, a read's result, a compare-and-set's [from, to]. */
  value: Schema.optional(Schema.Unknown),
  time: Schema.optional(Schema.Finite)
})
export type HistoryRecord = typeof HistoryRecord.Type

/** A record and the line of the file it came from (1-based). */
export interface LineRecord {
  readonly line: number
  readonly record: HistoryRecord
}

const decodeRecord = Schema.decodeUnknownResult(HistoryRecord)

/** `value` decoded as a record; otherwise a message naming the field that does not fit and what it holds. */
export const recordOf = (value: unknown): Result.Result<HistoryRecord, string> =>
  Result.mapError(decodeRecord(value), (error) => describeMismatch(error.message, value))

/**
 * effect/Schema's message ("Expected an integer\n  at ["process"]") as one
 * phrase that names the field first and says what it held.
 */
export const describeMismatch = (message: string, value: unknown): string => {
  const [expected = message, path] = message.split(/\n\s*at /)
  const lowered = expected.charAt(0).toLowerCase() + expected.slice(1).replace(/\s*\n\s*/g, " ")
  if (path === undefined) return `${lowered}, got ${shown(value)}`
  const steps = [...path.matchAll(/\["([^"]*)"\]|\[(\d+)\]/g)].map((match) => match[1] ?? Number(match[2]))
  const held = steps.reduce<unknown>((at, step) => (typeof at === "object" && at !== null ? Reflect.get(at, step) : undefined), value)
  const field = steps.join(".")
  return held === undefined ? `field "${field}": ${lowered}` : `field "${field}": ${lowered}, got ${shown(held)}`
}

/** A value as it would be written in JSON, cut short when long. */
export const shown = (value: unknown): string => {
  const text = value === undefined ? "nothing" : JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
