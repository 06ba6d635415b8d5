import { ClusterControlError, ClusterFileError, CredentialError, ListenError, NodeStopped, StorageError } from "@parley/runtime"
import { Cause, Console, Effect, Runtime, Schema } from "effect"

/**
 * Bad usage: the command line names something that does not exist or gives a
 * value that does not fit. The message names the culprit and lists what is
 * allowed; the process exits with 2, as usage errors conventionally do.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
}

/** effect/cli has printed a parse error with the help already; only the usage exit code remains. */
export class CommandLineRejected extends Schema.TaggedError<CommandLineRejected>()("CommandLineRejected", {}) {
  override readonly [Runtime.errorExitCode] = 2
}

/** A file the command was asked to read does not exist or does not decode. */
export class InputFileError extends Schema.TaggedError<InputFileError>()("InputFileError", {
  path: Schema.String,
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
}

/** The check found a violation; it has been printed already, so only the exit code remains. */
export class ViolationFound extends Schema.TaggedError<ViolationFound>()("ViolationFound", {
  property: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 1
}

/**
 * The spec itself threw while being explored (a reducer bug, a send to an
 * undeclared node): neither a violation nor bad usage, so it gets its own exit code.
 */
export class SpecFailed extends Schema.TaggedError<SpecFailed>()("SpecFailed", {
  spec: Schema.String,
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 3
}

/** The check was stopped with Ctrl-C; what it had found so far has been printed. 130 is the shell's code for SIGINT. */
export class CheckInterrupted extends Schema.TaggedError<CheckInterrupted>()("CheckInterrupted", {}) {
  override readonly [Runtime.errorExitCode] = 130
}

/** A history check ran out of its time or memory budget before a verdict; the verdict `unknown` has been printed. */
export class HistoryUndecided extends Schema.TaggedError<HistoryUndecided>()("HistoryUndecided", {
  reason: Schema.Literals(["time", "memory"])
}) {
  override readonly [Runtime.errorExitCode] = 4
}

/** `parley trace replay`: the real cluster did not do what the trace did, or the property held there; the steps up to it have been printed. */
export class ReplayDiverged extends Schema.TaggedError<ReplayDiverged>()("ReplayDiverged", {
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 1
}

/** parley's failures whose message is a whole sentence for the user, printed as `parley: …`. */
const printed = [UsageError, InputFileError, ReplayDiverged, SpecFailed, ClusterFileError, StorageError, ListenError, ClusterControlError, CredentialError, NodeStopped] as const

/** parley's failures the command has reported before it ends with one: only the exit code remains. */
const reportedAlready = [CommandLineRejected, ViolationFound, CheckInterrupted, HistoryUndecided] as const

/**
 * How `parley` reports the failure it ends with, in place of the runtime's
 * log (`main` runs with the runtime's reporting off): its own errors once, as
 * a sentence; anything else, unexpected, logged with its cause as the runtime
 * would. The exit code is still each error's `Runtime.errorExitCode`.
 */
export const reportFailure = (cause: Cause.Cause<unknown>): Effect.Effect<void> => {
  if (Cause.hasInterruptsOnly(cause)) return Effect.void
  const error = Cause.squash(cause)
  for (const kind of printed) if (error instanceof kind) return Console.error(`parley: ${error.message}`)
  for (const kind of reportedAlready) if (error instanceof kind) return Effect.void
  return Effect.logError(cause)
}
