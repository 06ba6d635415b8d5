/**
 * One line per message, request and response, and a compact view of each
 * node, so a trace reads like the protocol: `Prepare b2 from s1`,
 * `Promise b2 [s1 b1=c1#1 Put(x=1)]`, `Accept b2 s1 c1#1 Put(x=1)`.
 */
import { bucketsFlat, formatKvInput, formatKvRequest, formatKvResponse } from "@parley/kv"
import type { MultiPaxosMessage, MultiPaxosTimer, SlotValue, SlotVote } from "./messages.ts"
import type { MultiPaxosState } from "./state.ts"

export const formatSlotValue = (command: SlotValue): string =>
  command === null ? "noop" : `${command.client}#${command.seq} ${formatKvInput(command.op)}`

const formatVote = (vote: SlotVote): string => `s${vote.slot} b${vote.ballot}=${formatSlotValue(vote.command)}`

export const formatMultiPaxosMessage = (m: MultiPaxosMessage): string => {
  switch (m._tag) {
    case "Prepare":
      return `Prepare b${m.ballot} from s${m.fromSlot}`
    case "Promise":
      return `Promise b${m.ballot} [${m.votes.map(formatVote).join(", ")}]`
    case "Accept":
      return `Accept b${m.ballot} s${m.slot} ${formatSlotValue(m.command)}`
    case "Accepted":
      return `Accepted b${m.ballot} s${m.slot}`
    case "Commit":
      return `Commit b${m.ballot} chosen s${m.chosen} compacted s${m.compacted}`
    case "Progress":
      return `Progress b${m.ballot} applied s${m.applied} saved s${m.saved}`
    case "Learn":
      return `Learn b${m.ballot}${m.snapshot === null ? "" : ` snapshot s${m.snapshot.through}`} [${m.entries.map((e) => `s${e.slot} ${formatSlotValue(e.command)}`).join(", ")}]`
  }
}

export const formatMultiPaxosTimer = (timer: MultiPaxosTimer): string => timer

export const formatMultiPaxosRequest = formatKvRequest

export const formatMultiPaxosResponse = formatKvResponse

/** A node as a trace lane: its promise and votes, what it prepares or leads, its log, and the store it applied. */
export const multiPaxosView = (s: MultiPaxosState): unknown => {
  const lead = s.leadership
  const view: Record<string, unknown> = { promised: s.promised, accepted: s.accepted.map(formatVote), role: lead.role }
  if (lead.role === "preparing") Object.assign(view, { ballot: lead.ballot, promisedBy: lead.promisedBy, reported: lead.reported.map(formatVote) })
  if (lead.role === "leading") {
    Object.assign(view, {
      ballot: lead.ballot,
      acceptors: lead.acceptors,
      proposals: lead.proposals.map((p) => `s${p.slot} ${formatSlotValue(p.command)} acks [${p.acks.join(", ")}]`),
      reproposed: lead.reproposed,
      peers: Object.fromEntries(Object.entries(lead.peers).map(([peer, p]) => [peer, `applied s${p.applied} saved s${p.saved}`]))
    })
  }
  return {
    ...view,
    log: s.log.map((entry) => `s${entry.slot} ${formatSlotValue(entry.command)}`),
    applied: s.applied,
    kv: bucketsFlat(s.store),
    snapshot: s.snapshot.through,
    compacted: s.compacted
  }
}
