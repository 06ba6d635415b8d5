import { Runtime, Schema } from "effect"

// Each error's message is a whole sentence, which the command that hosts the node prints as it is.

/** The cluster file is missing, is not JSON, or does not fit its Schema; `message` names the file and the problem. */
export class ClusterFileError extends Schema.TaggedError<ClusterFileError>()("ClusterFileError", {
  path: Schema.String,
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
}

/** The durable state could not be read or written. A node that cannot persist must stop: it may not send what it has not stored. */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  path: Schema.String,
  message: Schema.String
}) {}

/** A node could not listen on one of its addresses. */
export class ListenError extends Schema.TaggedError<ListenError>()("ListenError", {
  address: Schema.String,
  message: Schema.String
}) {}

/** `parley cluster` or `parley kv` could not do what it was asked; `message` says why. */
export class ClusterControlError extends Schema.TaggedError<ClusterControlError>()("ClusterControlError", {
  message: Schema.String
}) {}

/**
 * The node loop ended: its storage failed, or a step threw. A node whose
 * loop is gone would keep its sockets open and never answer, so the process
 * that hosts it exits with this instead.
 */
export class NodeStopped extends Schema.TaggedError<NodeStopped>()("NodeStopped", {
  node: Schema.String,
  message: Schema.String
}) {}

/** The cluster secret or the client token could not be read, or is not safe to use; `message` names the file and what to do. */
export class CredentialError extends Schema.TaggedError<CredentialError>()("CredentialError", {
  path: Schema.String,
  message: Schema.String
}) {
  override readonly [Runtime.errorExitCode] = 2
}
