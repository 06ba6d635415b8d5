/**
 * The model's boundary, shared by the election specs: the one-copy-per-link
 * bound that keeps a resent message from piling up copies of itself in
 * flight.
 */
import { equals, inFlight } from "@parley/core"
import type { NetworkState } from "@parley/core"

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
