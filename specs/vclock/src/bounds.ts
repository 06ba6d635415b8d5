/**
 * The search's boundary for a spec whose nodes send again what may have
 * been lost: no two identical envelopes in flight, so a node that resends
 * while its first copy is still on the way steps outside the search. Every
 * repair needs one copy and no more.
 */
import { equals, inFlight } from "@parley/core"
import type { NetworkState } from "@parley/core"

export const oneCopyInFlight = (network: NetworkState<unknown>): boolean => {
  const envelopes = inFlight(network)
  for (let i = 0; i < envelopes.length; i++) {
    for (let j = i + 1; j < envelopes.length; j++) if (equals(envelopes[i], envelopes[j])) return false
  }
  return true
}
