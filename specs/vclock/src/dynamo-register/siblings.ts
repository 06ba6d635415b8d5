/**
 * A key's sibling set: the versions none of which supersedes another, with
 * dotted version vectors. A version is superseded when another's context
 * covers its dot (the writer of the other had seen it); merging two sets
 * keeps the union of both but the superseded, so concurrent writes stay
 * side by side as siblings, even two made at one replica from one context,
 * which plain vector clocks at the replica would order and silently drop.
 * Sets are kept in a canonical order (by clock), so equal sets are equal
 * values.
 */
import { compare, counter, formatClock, merge } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { Dot, Sibling } from "./messages.ts"

/** Known bugs a variant switches on. */
export interface SiblingBugs {
  /** Keep only the sibling whose clock has the highest (counter, node) entry: concurrent writes are dropped. */
  readonly lastWriterWins: boolean
  /** Give a write the coordinator's own counter alone, not the writer's read context: it fails to supersede what it read. */
  readonly ignoreContext: boolean
}

export const dynamoRegister: SiblingBugs = { lastWriterWins: false, ignoreContext: false }

/** A sibling's clock: its context and its dot, the whole causal past of the write that made it. */
export const clockOf = (s: Sibling): VClock => merge(s.context, { [s.dot.node]: s.dot.counter })

/** Whether `context` has seen the write `dot` names. */
export const covers = (context: VClock, dot: Dot): boolean => counter(context, dot.node) >= dot.counter

const sameDot = (a: Sibling, b: Sibling): boolean => a.dot.node === b.dot.node && a.dot.counter === b.dot.counter

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
  const [x, y] = [stamp(clockOf(a)), stamp(clockOf(b))]
  return x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]) ? a : b
}

const byClock = (a: Sibling, b: Sibling): number => {
  const [x, y] = [formatClock(clockOf(a)), formatClock(clockOf(b))]
  if (x !== y) return x < y ? -1 : 1
  return a.dot.node < b.dot.node ? -1 : a.dot.node > b.dot.node ? 1 : a.dot.counter - b.dot.counter
}

/** The union of two sibling sets with every superseded version dropped; last-writer-wins keeps one. */
export const mergeSiblings = (bugs: SiblingBugs, a: ReadonlyArray<Sibling>, b: ReadonlyArray<Sibling>): ReadonlyArray<Sibling> => {
  const all: Array<Sibling> = []
  for (const sibling of [...a, ...b]) if (!all.some((s) => sameDot(s, sibling))) all.push(sibling)
  const kept = all.filter((s) => !all.some((other) => other !== s && covers(other.context, s.dot)))
  if (bugs.lastWriterWins && kept.length > 1) return [kept.reduce(laterStamp)]
  return kept.sort(byClock)
}

/** The context a reader takes away: every sibling's clock merged. */
export const contextOf = (siblings: ReadonlyArray<Sibling>): VClock => siblings.reduce((c, s) => merge(c, clockOf(s)), {})

/**
 * The sibling a write at `self` makes: the next dot of `self` on the key
 * (above every counter of `self` its siblings or the writer's context
 * know, so no dot is given twice while the siblings are kept), and the
 * writer's context, which it supersedes.
 */
export const written = (bugs: SiblingBugs, self: string, local: ReadonlyArray<Sibling>, value: string, context: VClock): Sibling => {
  const seen = local.reduce((most, s) => Math.max(most, counter(clockOf(s), self)), counter(context, self))
  const dot = { node: self, counter: seen + 1 }
  return { value, dot, context: bugs.ignoreContext ? (seen === 0 ? {} : { [self]: seen }) : context }
}

/** Whether two clocks are equal, for the properties' comparisons. */
export const sameClock = (a: VClock, b: VClock): boolean => compare(a, b) === "equal"
