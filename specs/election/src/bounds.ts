/**
 * The model's boundary, shared by the three election specs: option checks,
 * node names, and the one-copy-per-link bound that keeps a resent message
 * from piling up copies of itself in flight.
 */
import { equals, inFlight } from "@parley/core"
import type { NetworkState } from "@parley/core"

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

