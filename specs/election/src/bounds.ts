/**
 * The model's boundary, shared by the three election specs: option checks,
 * node names, and the one-copy-per-link bound that keeps a resent message
 * from piling up copies of itself in flight.
 */
import { equals, inFlight } from "@parley/core"
import type { NetworkState } from "@parley/core"

export const requireWhole = (spec: string, name: string, value: number, min: number, max: number): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${spec} needs ${name} to be a whole number from ${min} to ${max}, got ${value}`)
  }
}

/** `n1`…`nN`: a node's rank is its number, so `n3` outranks `n2`. */
export const nodeIds = (count: number): ReadonlyArray<string> => Array.from({ length: count }, (_, i) => `n${i + 1}`)

/**
 * No two identical envelopes in flight, as raft's boundary keeps one message
 * of each kind per link: a node that resends while its first copy is still on
 * the way steps outside the search. This is a bound, and it is stated in the
 * README with the others.
 */
export const oneCopyInFlight = (network: NetworkState<unknown>): boolean => {
  const envelopes = inFlight(network)
  for (let i = 0; i < envelopes.length; i++) {
    for (let j = i + 1; j < envelopes.length; j++) if (equals(envelopes[i], envelopes[j])) return false
  }
  return true
}

/** The variant's flags, or an error that names the variants there are. */
export const bugsOf = <B>(spec: string, variants: Readonly<Record<string, B>>, variant: string): B => {
  const bugs = variants[variant]
  if (bugs === undefined) throw new TypeError(`${spec} has no variant "${variant}"; its variants: ${Object.keys(variants).join(", ")}`)
  return bugs
}
