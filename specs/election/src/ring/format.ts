/** One line per message, `Election e1 n3`, `Elected e2 n2`, and a compact view of a node. */
import type { RingMessage } from "./messages.ts"
import type { RingState } from "./node.ts"

export const formatRingMessage = (m: RingMessage): string => {
  switch (m._tag) {
    case "Election":
      return `Election e${m.epoch} ${m.candidate}`
    case "Elected":
      return `Elected e${m.epoch} ${m.leader}`
    default:
      return m._tag
  }
}

export const ringView = (s: RingState): unknown => ({
  epoch: s.epoch,
  participant: s.participant,
  leader: s.leader,
  ...(s.skipped.length === 0 ? {} : { skipped: s.skipped }),
  ...(s.probing === null ? {} : { probing: s.probing })
})
