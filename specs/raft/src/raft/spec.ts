/**
 * `raft`: the Raft reducer (node.ts) as a cluster of `n1`…`nN` with clients
 * `c1`…`cK` that work through short scripts of key-value operations. The
 * bounds (the highest term, the crash budget, client retries, the messages
 * in flight, the log's length) are the model's boundary, not the reducer's:
 * the reducer is the one the runtime hosts. The network is FIFO per link by
 * default, because the runtime's transport is TCP, and because it makes the
 * search about three times smaller than an unordered one.
 */
import { defineSpec, flag, inFlight, int, linkQueues, lossyFlag, networkChoice } from "@parley/core"
import type { Envelope, OptionsOf } from "@parley/core"
import { kvClient } from "@parley/kv"
import { formatRaftMessage, formatRaftRequest, formatRaftResponse, formatRaftTimer, raftView } from "./format.ts"
import { raftHistory } from "./history.ts"
import type { RaftMessage, RaftRequest, RaftResponse } from "./messages.ts"
import { raftActor } from "./node.ts"
import { logOf, raftProperties, raftTransitions } from "./properties.ts"
import type { RaftSystem, RaftSystemState } from "./properties.ts"
import { noBugs } from "./state.ts"
import type { RaftBugs } from "./state.ts"

/**
 * Every term, live or durable, at most `maxTerm`, and no PreVote round for
 * a term beyond it. Such a round raises no term, so the term bound alone
 * does not cut it off, and rounds that can only lead past the boundary
 * multiply the states: with no client and max term 1, 345,798 states with
 * this bound, and past 1.1 million (at depth 21, still growing) without it.
 */
const termsWithin = (s: RaftSystemState, maxTerm: number): boolean =>
  s.nodes.every((node) =>
    node.up ? node.state.term <= maxTerm && (node.state.role !== "precandidate" || node.state.term < maxTerm) : node.durable.term <= maxTerm
  )

const logsWithin = (s: RaftSystemState, maxLog: number): boolean =>
  s.nodes.every((node) => logOf(node).length <= maxLog)

/**
 * At most one message of each kind on a link: one RequestVote, one
 * AppendEntries, one answer of each kind, one client request. Heartbeats and
 * retries would otherwise pile up copies behind each other and multiply the
 * states. It is SPIN's bounded channel, sized per message kind; what it gives
 * up is a second AppendEntries queued behind the first (pipelining, or a
 * stale one from the same leader's earlier term). One message per link
 * in all is too tight: a candidate's RequestVote and its refusal of a rival
 * cross on the same pair of links, and a leader's first AppendEntries may
 * follow its RequestVote.
 */
const oneOfEachKind = (queue: ReadonlyArray<Envelope<RaftMessage, RaftRequest, RaftResponse>>): boolean => {
  for (let i = 0; i < queue.length; i++) {
    for (let j = i + 1; j < queue.length; j++) if (kindOf(queue[i]!) === kindOf(queue[j]!)) return false
  }
  return true
}

const kindOf = (envelope: Envelope<RaftMessage, RaftRequest, RaftResponse>): string =>
  envelope.kind === "message" ? envelope.body._tag : envelope.kind

/** Each option once: its flag is the kebab-case of its key (`maxInFlight` is `--max-in-flight`). */
const raftOptions = {
  nodes: int("cluster size", { default: 3, min: 1, max: 7 }),
  clients: int("clients, each running a short script of operations on one key", { default: 1, min: 0, max: 4 }),
  requests: int("operations in each client's script", { default: 2, min: 1, max: 3 }),
  retries: int("times a client resends one operation when it gets no answer", { default: 1, min: 0, max: 9 }),
  maxTerm: int("the highest term explored, by a campaign or a PreVote round (the search's boundary)", { default: 1, min: 1, max: 9 }),
  crashes: int("crash budget: crashes of any nodes in one behaviour", { default: 0, min: 0, max: 9 }),
  maxInFlight: int("the most messages in flight in the whole network (the search's boundary); 0: no bound beyond one of each kind per link", {
    default: 0,
    min: 0,
    max: 99
  }),
  maxLog: int("the longest log explored (the search's boundary); 0: no bound", { default: 0, min: 0, max: 99 }),
  network: networkChoice("ordered"),
  lossy: lossyFlag,
  prevote: flag("PreVote (thesis §9.6)"),
  checkquorum: flag("CheckQuorum and leader stickiness (thesis §6.2, §4.2.3)")
} as const

export type RaftOptions = OptionsOf<typeof raftOptions>

/** The cluster for one configuration; the options are checked by `raftSpec`. */
const raftSystem = (options: RaftOptions, bugs: RaftBugs): RaftSystem => {
  const nodes = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`)
  const actor = raftActor({ nodes, preVote: options.prevote, checkQuorum: options.checkquorum, maxEntriesPerAppend: 1, bugs })
  return {
    nodes: nodes.map((id) => ({ id, actor })),
    clients: Array.from({ length: options.clients }, (_, i) => ({ id: `c${i + 1}`, client: kvClient(nodes, i, options.requests, options.retries) })),
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    ghost: raftHistory,
    properties: raftProperties(options),
    transitions: raftTransitions,
    within: (s) =>
      termsWithin(s, options.maxTerm) &&
      (options.maxLog === 0 || logsWithin(s, options.maxLog)) &&
      (options.maxInFlight === 0 || inFlight(s.network).length <= options.maxInFlight) &&
      linkQueues(s.network).every(oneOfEachKind),
    formatMessage: formatRaftMessage,
    formatTimer: formatRaftTimer,
    formatRequest: formatRaftRequest,
    formatResponse: formatRaftResponse,
    view: raftView
  }
}

export const raftSpec = defineSpec({
  module: import.meta.url,
  name: "raft",
  description: "Raft (elections, log replication, a linearizable key-value store) as one reducer per node, " +
    "with PreVote and CheckQuorum as options",
  options: raftOptions,
  correct: noBugs,
  variants: {
    "commit-prior-term": {
      description: "a leader commits an entry of an earlier term by counting replicas (paper §5.4.2, Figure 8); " +
        "a later leader without that entry overwrites it",
      bugs: { commitPriorTerm: true }
    },
    "no-log-check": {
      description: "voters grant votes without checking that the candidate's log is at least as up-to-date as theirs (§5.4.1)",
      bugs: { noLogCheck: true }
    },
    "forget-vote": {
      description: "votedFor is not durable, so a node that restarts may vote a second time in the same term",
      bugs: { forgetVote: true }
    },
    "stale-read": {
      description: "a leader answers Get from its own store at once, without confirming it still leads",
      bugs: { staleRead: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: raftSystem(options, bugs) })
})
