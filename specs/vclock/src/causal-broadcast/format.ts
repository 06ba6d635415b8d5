/** One line per message, `n1#2 [n1:2 n2:1]`, and a node as its delivered clock and its log and pending messages in that form. */
import { formatClock } from "../vclock.ts"
import type { Broadcast, CausalMessage } from "./messages.ts"
import type { CausalState } from "./node.ts"

export const formatBroadcast = (m: Broadcast): string => `${m.origin}#${m.seq} ${formatClock(m.clock)}`

export const formatCausalMessage = (m: CausalMessage): string => (m._tag === "Digest" ? `Digest ${formatClock(m.delivered)}` : formatBroadcast(m))

export const causalView = (s: CausalState): unknown => ({
  delivered: formatClock(s.delivered),
  log: s.log.map(formatBroadcast),
  pending: s.pending.map(formatBroadcast)
})
