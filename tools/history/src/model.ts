/**
 * A model of the object a history was recorded against: its sequential
 * specification, and how an operation of the history (`f`, `key`, the
 * values its invocation and completion carried) reads as the model's input
 * and output. `parley history check --model NAME` takes one of `models.ts`;
 * `--model-file FILE.ts` takes the default export of a module of yours
 * (see docs/commands/history.md, "Adding a model").
 */
import type { SequentialSpec } from "@parley/core"
import { Result, Schema } from "effect"
import { describeMismatch } from "./record.ts"
import type { Scalar } from "./record.ts"

/** An operation as the history recorded it, before the model reads it. */
export interface RecordedOperation {
  readonly f: string
  readonly key: Scalar | undefined
  /** What the invocation carried (a write's value; nothing, or nil, for a read). */
  readonly invokeValue: unknown
  /** What the `ok` completion carried; undefined when the outcome is unknown. */
  readonly okValue: unknown
  readonly outcome: "ok" | "unknown"
}

/** The model's reading of an operation: its input, and its output when it completed. */
export interface ModelOperation<I, O> {
  readonly input: I
  readonly output: O | undefined
}

export interface HistoryModel<M, I, O> {
  readonly name: string
  readonly summary: string
  readonly spec: SequentialSpec<M, I, O>
  /** The operation in the model's terms, or a message saying which part of it does not fit. */
  read(operation: RecordedOperation): Result.Result<ModelOperation<I, O>, string>
  showInput(input: I): string
  showOutput(output: O): string
  showModel(model: M): string
}

/** Erased where models are listed or loaded; each is typed where it is defined. */
export type AnyHistoryModel = HistoryModel<unknown, unknown, unknown>

/** Decodes `value` with `schema`, naming `what` it is when it does not fit. */
export const decodeValue = <A>(schema: Schema.Codec<A, unknown>, value: unknown, what: string): Result.Result<A, string> =>
  Result.mapError(Schema.decodeUnknownResult(schema)(value), (error) => `${what}: ${describeMismatch(error.message, value)}`)

/** The message for an `f` the model does not know. */
export const unknownFunction = (model: string, f: string, known: ReadonlyArray<string>): Result.Result<never, string> =>
  Result.fail(`the ${model} model has no operation "${f}"; it has ${known.map((name) => `"${name}"`).join(", ")}`)

/** A 32-bit hash of a scalar or null, for models whose state is one. */
export const hashScalar = (value: Scalar | null): number => {
  if (value === null) return 0x2e4c6a88
  if (typeof value === "number" && Number.isInteger(value)) return Math.imul(value | 0, 0x9e3779b1) ^ Math.floor(value / 0x100000000)
  const text = typeof value === "number" ? `#${value}` : value
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash
}

/** How a scalar or absence reads in a verdict: `3`, `"x"`, `nil`. */
export const showScalar = (value: Scalar | null): string => (value === null ? "nil" : JSON.stringify(value))
