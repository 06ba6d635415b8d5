/** One line per message (`Election`, `Answer`, `Coordinator`: the sender is on the arrow) and a compact view of a node. */
import type { BullyMessage } from "./messages.ts"
import type { BullyState } from "./node.ts"

export const formatBullyMessage = (m: BullyMessage): string => m._tag

export const bullyView = (s: BullyState): unknown => ({
  phase: s.phase,
  leader: s.leader,
  ...(s.suspected === null ? {} : { suspected: s.suspected })
})
