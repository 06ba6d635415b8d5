/**
 * Vector clocks (Fidge, Mattern): one counter per node. `a` happened before
 * `b` exactly when every counter of `a` is at most `b`'s and the two differ;
 * neither before the other means concurrent. A clock is plain data, a record
 * from node id to a positive counter; a missing node counts as 0, so `{}`
 * is the zero clock and a counter is never stored as 0, which makes equal
 * clocks equal as values.
 */
import { Schema } from "effect"

export const VClock = Schema.Record(Schema.String, Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
export type VClock = typeof VClock.Type

export type Order = "before" | "after" | "equal" | "concurrent"

export const zero: VClock = {}

// Own keys only: a node named as an Object method ("toString") has no counter until it has one.
export const counter = (clock: VClock, node: string): number => (Object.hasOwn(clock, node) ? clock[node]! : 0)

/** The clock after one more event at `node`. */
export const increment = (clock: VClock, node: string): VClock => ({ ...clock, [node]: counter(clock, node) + 1 })

/** The least upper bound: each node's larger counter. */
export const merge = (a: VClock, b: VClock): VClock => {
  const merged: Record<string, number> = { ...a }
  for (const node in b) merged[node] = Math.max(counter(a, node), b[node]!)
  return merged
}

export const compare = (a: VClock, b: VClock): Order => {
  let aBelow = false
  let bBelow = false
  for (const node of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = counter(a, node)
    const y = counter(b, node)
    if (x < y) aBelow = true
    if (y < x) bBelow = true
  }
  if (aBelow && bBelow) return "concurrent"
  if (aBelow) return "before"
  if (bBelow) return "after"
  return "equal"
}

/** `a` is at most `b` in every counter: before or equal. */
export const dominatedBy = (a: VClock, b: VClock): boolean => {
  const order = compare(a, b)
  return order === "before" || order === "equal"
}

/** `{n1: 2, n3: 1}` as `[n1:2 n3:1]`, nodes in order. */
export const formatClock = (clock: VClock): string =>
  `[${Object.keys(clock).sort().map((node) => `${node}:${clock[node]}`).join(" ")}]`
