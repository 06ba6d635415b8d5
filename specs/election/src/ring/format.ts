/** One line per message, `Election e1 n3`, `Elected e2 n2`, and a compact view of a node. */
import type { RingMessage } from "./messages.ts"
import type { RingState } from "./node.ts"

export const formatRingMessage = (m: RingMessage): string =>
  m._tag === "Election" ? `Election e${m.epoch} ${m.candidate}` : `Elected e${m.epoch} ${m.leader}`

export const ringView = (s: RingState): unknown => ({
  epoch: s.epoch,
  participant: s.participant,
  leader: s.leader,
  ...(s.skipped.length === 0 ? {} : { skipped: s.skipped })
})
