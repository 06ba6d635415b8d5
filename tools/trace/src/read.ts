import { TraceFile, TraceFormat } from "@parley/core"
import { Effect, FileSystem, Result, Schema } from "effect"
import type { PlatformError } from "effect/PlatformError"

/**
 * A trace file that cannot be used, and why: it is missing or unreadable, it
 * is not JSON, it is not a Parley trace of this format, or it does not fit the
 * schema. `message` is a whole sentence that names the file and the problem,
 * fit to print as it is.
 */
export class TraceFileError extends Schema.TaggedError<TraceFileError>()("TraceFileError", {
  path: Schema.String,
  reason: Schema.Literals(["NotFound", "Unreadable", "NotJson", "WrongFormat", "SchemaMismatch"]),
  message: Schema.String
}) {}

/** What `decodeTrace` calls its input when no file path names it. */
const INLINE = "<inline>"

const subject = (path: string): string => path === INLINE ? "The trace" : `Trace file "${path}"`

const parseJson = (text: string): Result.Result<unknown, string> => {
  try {
    return Result.succeed(JSON.parse(text))
  } catch (error) {
    return Result.fail(error instanceof Error ? error.message : String(error))
  }
}

/** Only the field that says what kind of file this is, so a wrong kind is named before any other mismatch. */
const FormatProbe = Schema.Struct({ format: Schema.optionalKey(Schema.Unknown) })

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`

/** A Schema issue prints over several lines ("Expected string\n  at [\"spec\"]"); one line reads better after a colon. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

/**
 * Decodes the text of a trace file. `path` names the input in error messages.
 * The format is checked before the rest of the schema, so a file of another
 * kind or version is reported as such rather than as a schema mismatch.
 */
export const decodeTrace = (json: string, path: string = INLINE): Result.Result<TraceFile, TraceFileError> =>
  Result.gen(function*() {
    const fail = (reason: TraceFileError["reason"], message: string) =>
      Result.fail(new TraceFileError({ path, reason, message }))
    const value = yield* parseJson(json).pipe(
      Result.orElse((error) => fail("NotJson", `${subject(path)} is not valid JSON: ${error}.`))
    )
    const probe = Schema.decodeUnknownResult(FormatProbe)(value)
    if (Result.isFailure(probe)) {
      return yield* fail(
        "WrongFormat",
        `${subject(path)} is not a Parley trace: expected a JSON object with "format": "${TraceFormat}", got ${kindOf(value)}.`
      )
    }
    const format = probe.success.format
    if (format === undefined) {
      return yield* fail(
        "WrongFormat",
        `${subject(path)} has no "format" field; expected "format": "${TraceFormat}" (is it a Parley trace file?).`
      )
    }
    if (format !== TraceFormat) {
      return yield* fail(
        "WrongFormat",
        `${subject(path)} has format ${JSON.stringify(format)}; expected "${TraceFormat}".`
      )
    }
    return yield* Schema.decodeUnknownResult(TraceFile)(value).pipe(
      Result.orElse((error) =>
        fail("SchemaMismatch", `${subject(path)} does not match the ${TraceFormat} schema: ${oneLine(error.message)}.`)
      )
    )
  })

/** The operating system's own words ("EISDIR: illegal operation on a directory, read") where it gave some. */
const platformDetail = (error: PlatformError): string => {
  const cause = error.reason.cause
  return oneLine(cause instanceof Error ? cause.message : error.message)
}

const unreadable = (path: string, error: PlatformError): TraceFileError =>
  error.reason._tag === "NotFound"
    ? new TraceFileError({ path, reason: "NotFound", message: `Trace file "${path}" does not exist.` })
    : new TraceFileError({
      path,
      reason: "Unreadable",
      message: `Cannot read trace file "${path}": ${platformDetail(error)}.`
    })

/** Reads and decodes a trace file. */
export const readTraceFile = Effect.fnUntraced(
  function*(path: string): Effect.fn.Return<TraceFile, TraceFileError, FileSystem.FileSystem> {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(Effect.mapError((error) => unreadable(path, error)))
    return yield* Effect.fromResult(decodeTrace(text, path))
  }
)
