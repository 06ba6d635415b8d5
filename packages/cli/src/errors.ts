import { Runtime, Schema } from "effect"

/**
 * Bad usage: the command line names something that does not exist or gives a
 * value that does not fit. The message names the culprit and lists what is
 * allowed; the process exits with 2, as usage errors conventionally do. `main` prints
 * these messages itself, so the runtime does not log them again.
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
  override readonly [Runtime.errorReported] = false
}

/** effect/cli has printed a parse error with the help already; only the usage exit code remains. */
export class CommandLineRejected extends Schema.TaggedError<CommandLineRejected>()("CommandLineRejected", {}) {
  override readonly [Runtime.errorExitCode] = 2
  override readonly [Runtime.errorReported] = false
}

/** A file the command was asked to read does not exist or does not decode. */
export class InputFileError extends Schema.TaggedError<InputFileError>()("InputFileError", {
  path: Schema.String,
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
  override readonly [Runtime.errorReported] = false
}

/** The check found a violation; it has been printed already, so only the exit code remains. */
export class ViolationFound extends Schema.TaggedError<ViolationFound>()("ViolationFound", {
  property: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 1
  override readonly [Runtime.errorReported] = false
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
  override readonly [Runtime.errorReported] = false
}

/** The check was stopped with Ctrl-C; what it had found so far has been printed. 130 is the shell's code for SIGINT. */
export class CheckInterrupted extends Schema.TaggedError<CheckInterrupted>()("CheckInterrupted", {}) {
  override readonly [Runtime.errorExitCode] = 130
  override readonly [Runtime.errorReported] = false
}
