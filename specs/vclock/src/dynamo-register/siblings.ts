/**
 * A replica's sibling set: the versions of the register none of which
 * supersedes another. Merging two sets keeps every version not dominated by
 * another (concurrent writes stay side by side as siblings) and drops the
 * dominated ones. Sets are kept in a canonical order (by clock), so equal
 * sets are equal values.
 */
import { compare, formatClock } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { Sibling } from "./messages.ts"

/** Known bugs a variant switches on. */
export interface SiblingBugs {
  /** Keep only the sibling whose clock has the highest (counter, node) entry: concurrent writes are dropped. */
  readonly lastWriterWins: boolean
  /** Give a write the writer's own counter alone, not its read context: it fails to supersede what it read. */
  readonly ignoreContext: boolean
}

export const dynamoRegister: SiblingBugs = { lastWriterWins: false, ignoreContext: false }

/** A clock's highest entry, counter first, then node id: last-writer-wins' timestamp. */
export const stamp = (clock: VClock): readonly [number, string] => {
  let best: readonly [number, string] = [0, ""]
  for (const node of Object.keys(clock)) {
    const entry = [clock[node]!, node] as const
    if (entry[0] > best[0] || (entry[0] === best[0] && entry[1] > best[1])) best = entry
  }
  return best
}

const laterStamp = (a: Sibling, b: Sibling): Sibling => {
  const [x, y] = [stamp(a.clock), stamp(b.clock)]
  return x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]) ? a : b
}

const byClock = (a: Sibling, b: Sibling): number => {
  const [x, y] = [formatClock(a.clock), formatClock(b.clock)]
  return x < y ? -1 : x > y ? 1 : 0
}

/** The union of two sibling sets with every dominated version dropped; last-writer-wins keeps one. */
export const mergeSiblings = (bugs: SiblingBugs, a: ReadonlyArray<Sibling>, b: ReadonlyArray<Sibling>): ReadonlyArray<Sibling> => {
  const all: Array<Sibling> = []
  for (const sibling of [...a, ...b]) if (!all.some((s) => compare(s.clock, sibling.clock) === "equal")) all.push(sibling)
  const kept = all.filter((s) => !all.some((other) => compare(s.clock, other.clock) === "before"))
  if (bugs.lastWriterWins && kept.length > 1) return [kept.reduce(laterStamp)]
  return kept.sort(byClock)
}
