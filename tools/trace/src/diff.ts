import { equals } from "@parley/core"

type Lanes = Readonly<Record<string, unknown>>

/**
 * How one lane changed in one step. A field that is absent on one side is
 * `undefined` there (trace files are JSON, so `undefined` never means
 * anything else).
 */
export type LaneChange =
  /** One field of an object state changed. */
  | { readonly _tag: "Field"; readonly lane: string; readonly field: string; readonly before: unknown; readonly after: unknown }
  /** A state that is not an object (or became or stopped being one) changed as a whole. */
  | { readonly _tag: "Whole"; readonly lane: string; readonly before: unknown; readonly after: unknown }
  /** The node crashed: it now holds only what it made durable. */
  | { readonly _tag: "Down"; readonly lane: string; readonly durable: unknown }
  /** The node came back up with this state. */
  | { readonly _tag: "Up"; readonly lane: string; readonly state: unknown }

type Fields = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A crashed node's lane: `{down: true, durable: ...}`. */
export const isDown = (value: unknown): value is { readonly down: true; readonly durable?: unknown } =>
  isRecord(value) && value["down"] === true

const unionKeys = (order: ReadonlyArray<string>, ...records: ReadonlyArray<Fields>): ReadonlyArray<string> => {
  const keys = new Set(order.filter((key) => records.some((r) => Object.hasOwn(r, key))))
  for (const record of records) for (const key of Object.keys(record)) keys.add(key)
  return [...keys]
}

const laneChanges = (lane: string, before: unknown, after: unknown): ReadonlyArray<LaneChange> => {
  if (equals(before, after)) return []
  if (!isDown(before) && isDown(after) && before !== undefined) {
    return [{ _tag: "Down", lane, durable: after.durable }]
  }
  if (isDown(before) && !isDown(after) && after !== undefined) return [{ _tag: "Up", lane, state: after }]
  if (!isRecord(before) || !isRecord(after)) return [{ _tag: "Whole", lane, before, after }]
  return unionKeys([], before, after)
    .filter((field) => !equals(before[field], after[field]))
    .map((field) => ({ _tag: "Field", lane, field, before: before[field], after: after[field] }))
}

/**
 * What changed from one step's lanes to the next: per lane, the fields whose
 * values differ (a shallow diff; values are compared structurally), with a
 * lane going down or coming back up reported as such. Lanes come in `order`,
 * then any others in the order they appear.
 */
export const diffLanes = (before: Lanes, after: Lanes, order: ReadonlyArray<string>): ReadonlyArray<LaneChange> =>
  unionKeys(order, before, after).flatMap((lane) => laneChanges(lane, before[lane], after[lane]))

/**
 * When two arrays share elements, the elements added and removed (as
 * multisets), which read far better than both arrays in full when a message
 * bag gains one message. `undefined` when they are not both arrays or share
 * nothing.
 */
export const arrayDelta = (
  before: unknown,
  after: unknown
): { readonly added: ReadonlyArray<unknown>; readonly removed: ReadonlyArray<unknown> } | undefined => {
  if (!Array.isArray(before) || !Array.isArray(after)) return undefined
  const removed: Array<unknown> = []
  const unmatched: Array<unknown> = [...after]
  for (const item of before) {
    const at = unmatched.findIndex((candidate) => equals(candidate, item))
    if (at === -1) removed.push(item)
    else unmatched.splice(at, 1)
  }
  const kept = before.length - removed.length
  return kept === 0 ? undefined : { added: unmatched, removed }
}
