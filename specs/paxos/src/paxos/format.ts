/**
 * One line per message and a compact view of each node, so a trace reads
 * like the paper: `Prepare b2`, `Promise b2 (voted b1=v1)`, `Accept b2 v1`.
 */
import type { PaxosMessage, PaxosTimer, Vote } from "./messages.ts"
import type { PaxosState } from "./node.ts"

const formatVote = (vote: Vote | null): string => (vote === null ? "none" : `b${vote.ballot}=${vote.value}`)

export const formatPaxosMessage = (m: PaxosMessage): string => {
  switch (m._tag) {
    case "Prepare":
      return `Prepare b${m.ballot}`
    case "Promise":
      return `Promise b${m.ballot} (voted ${formatVote(m.accepted)})`
    case "Accept":
      return `Accept b${m.ballot} ${m.value}`
    case "Accepted":
      return `Accepted b${m.ballot} ${m.value}`
  }
}

export const formatPaxosTimer = (timer: PaxosTimer): string => timer

export const paxosView = (s: PaxosState): unknown => {
  switch (s.role) {
    case "proposer":
      return { ballot: s.ballot, phase: s.phase, promisedBy: s.promisedBy, highest: formatVote(s.highest), proposal: s.proposal }
    case "acceptor":
      return { promised: s.promised, accepted: formatVote(s.accepted) }
    case "learner":
      return { votes: s.votes.map((v) => `b${v.ballot} ${v.acceptor}=${v.value}`) }
  }
}
