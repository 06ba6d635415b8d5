import { Schema } from "effect"

/** A log file could not be read, or holds what is not an event log; `message` names the file and line. */
export class EventLogUnreadable extends Schema.TaggedError<EventLogUnreadable>()("EventLogUnreadable", {
  path: Schema.String,
  message: Schema.String
}) {}
