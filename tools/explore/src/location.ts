import { Schema } from "effect"

/**
 * Where the explorer stands: a spec, its options as the command line or the
 * URL gave them (text, checked against the spec on every use), which initial
 * state, and the index of each action taken since in the list of actions
 * the state before it enabled. The page's URL is this, so a state can be
 * shared or bookmarked.
 */
export const Location = Schema.Struct({
  spec: Schema.String,
  /** `variant` among them, as on the command line: `{ "variant": "no-durable-decision", "rms": "3" }`. */
  options: Schema.Record(Schema.String, Schema.String),
  init: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  path: Schema.Array(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)))
})
export type Location = typeof Location.Type

/** A path as the URL and the command line write it, `3.0.12`: the action indices, dot-separated; or why the text is none. */
export const parsePath = (text: string): ReadonlyArray<number> | string => {
  if (text === "") return []
  const parts = text.split(".")
  const bad = parts.find((part) => !/^\d{1,6}$/.test(part))
  return bad === undefined ? parts.map(Number) : `a path is action indices separated by dots, such as 3.0.12; "${bad}" in "${text}" is not an index`
}
