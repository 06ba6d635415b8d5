/**
 * `raft`: the Raft reducer (node.ts) as a cluster of `n1`…`nN` with clients
 * `c1`…`cK` that work through short scripts of key-value operations. The
 * bounds (the highest term, the crash budget, client retries, the messages
 * in flight, the log's length) are the model's boundary, not the reducer's:
 * the reducer is the one the runtime hosts. The network is FIFO per link by
 * default, because the runtime's transport is TCP, and because it makes the
 * search about three times smaller than an unordered one.
 */
import { choice, defineSpec, flag, inFlight, int, linkQueues, lossyFlag, networkChoice } from "@parley/core"
import type { Envelope, OptionsOf } from "@parley/core"
import { kvClient } from "@parley/kv"
import { formatRaftMessage, formatRaftRequest, formatRaftResponse, formatRaftTimer, raftView } from "./format.ts"
import { raftHistory } from "./history.ts"
import { leaseClockHolds } from "./lease-clock.ts"
import type { RaftMessage, RaftRequest, RaftResponse } from "./messages.ts"
import { raftActor } from "./node.ts"
import { logOf, raftProperties, raftTransitions } from "./properties.ts"
import type { RaftSystem, RaftSystemState } from "./properties.ts"
import { appendsOf, clusterShape, profilePresets, runtimeProfileSummary } from "./profile.ts"
import type { ClusterShape } from "./profile.ts"
import { lastIndex, noBugs } from "./state.ts"
import type { RaftBugs, RaftConfig } from "./state.ts"
import { membershipProperties } from "./membership-properties.ts"

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

/**
 * With lease reads, at most this many rounds of heartbeats per leader: each
 * renewal of a lease is a round with the next number, and a leader renews
 * without end, so without a bound the search never ends. Three rounds are
 * the lease's first and two renewals, reads sharing them.
 */
const maxLeaseRounds = 3

const roundsWithin = (s: RaftSystemState): boolean =>
  s.nodes.every((node) => !node.up || node.state.reads.round <= maxLeaseRounds)

/** The messages in flight, or only those between servers. */
const inFlightCount = (s: RaftSystemState, countsClients: boolean): number => {
  const envelopes = inFlight(s.network)
  if (countsClients) return envelopes.length
  let count = 0
  for (const envelope of envelopes) if (envelope.kind === "message") count++
  return count
}

/** Only the first `campaigners` nodes ever stand for election: a node past them stays a follower (a bound, as `--crashable` is). */
const campaignsWithin = (s: RaftSystemState, campaigners: number): boolean =>
  s.nodes.every((node, i) => i < campaigners || !node.up || node.state.role === "follower")

/** Every log, live or durable, at most `maxLog` entries long, counted from the first (compacted ones included). */
const logsWithin = (s: RaftSystemState, maxLog: number): boolean =>
  s.nodes.every((node) => lastIndex(logOf(node)) <= maxLog)

/**
 * At most `perKind` messages of each kind on a link: RequestVote,
 * AppendEntries, each answer, a client request. Heartbeats and retries
 * would otherwise pile up copies behind each other and multiply the states.
 * It is SPIN's bounded channel, sized per message kind. With one of each
 * (the model profile) what it gives up is a second AppendEntries queued
 * behind the first (pipelining, or a stale one from the same leader's
 * earlier term); the runtime profile allows two. One message per link in
 * all is too tight: a candidate's RequestVote and its refusal of a rival
 * cross on the same pair of links, and a leader's first AppendEntries may
 * follow its RequestVote.
 */
const atMostOfEachKind = (queue: ReadonlyArray<Envelope<RaftMessage, RaftRequest, RaftResponse>>, perKind: number): boolean => {
  if (queue.length <= perKind) return true
  const counts = new Map<string, number>()
  for (const envelope of queue) {
    const kind = kindOf(envelope)
    const count = (counts.get(kind) ?? 0) + 1
    if (count > perKind) return false
    counts.set(kind, count)
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
  retries: int("times a client resends one operation when it gets no answer", { default: 0, min: 0, max: 9 }),
  maxTerm: int("the highest term explored, by a campaign or a PreVote round (the search's boundary)", { default: 2, min: 1, max: 9 }),
  crashes: int("crash budget: crashes in one behaviour, of the nodes --crashable names", { default: 1, min: 0, max: 9 }),
  crashable: int("the nodes that may crash: n1 up to this one (all of them when it is the cluster size or more)", { default: 1, min: 1, max: 7 }),
  maxInFlight: int("the most messages in flight in the whole network (the search's boundary); 0: no bound beyond one of each kind per link", {
    default: 4,
    min: 0,
    max: 99
  }),
  maxLog: int("the longest log explored (the search's boundary); 0: no bound", { default: 0, min: 0, max: 99 }),
  snapshotEvery: int("a snapshot every this many applied entries, the log it covers dropped, InstallSnapshot for a follower behind it (§7); 0: never", {
    default: 0,
    min: 0,
    max: 99
  }),
  network: networkChoice("ordered"),
  lossy: lossyFlag,
  prevote: flag("PreVote (thesis §9.6)"),
  checkquorum: flag("CheckQuorum and leader stickiness (thesis §6.2, §4.2.3)"),
  membership: choice("single-server membership changes (thesis §4.1) the environment may ask a leader for: add a spare node " +
    "n(N+1), remove n1, or either; configurations in the log, quorums from the latest one", ["none", "add", "remove", "add-remove"], "none"),
  campaigners: int("the nodes that may campaign: n1 up to this one, all when it is the cluster size or more (the search's boundary)", {
    default: 8,
    min: 1,
    max: 8
  }),
  transfer: flag("leadership transfer (thesis §3.10): the environment may ask a leader to hand over to the next member (TimeoutNow)"),
  leaseReads: flag("lease reads: a leader answers Get at once while its lease holds; needs --checkquorum. " +
    "The boundary assumes bounded clock drift: no follower that answered the lease's round times out before the lease ends"),
  profile: choice(`model: the options as given; runtime: the runtime's configuration (${runtimeProfileSummary}), ` +
    "as the defaults of those options: any of them given explicitly wins", ["model", "runtime"], "model")
} as const

export type RaftOptions = OptionsOf<typeof raftOptions>

/**
 * Servers that are interchangeable in this cluster, for `--symmetry`: all
 * but the ones a client sends its first request to and the ones that may
 * crash, and none when clients retry, since a retry goes to the next server
 * in a fixed order.
 */
const interchangeable = (nodes: ReadonlyArray<string>, shape: ClusterShape): ReadonlyArray<string> => {
  if (shape.clients > 0 && shape.retries > 0) return []
  const distinguished = new Set([...Array.from({ length: shape.clients }, (_, i) => nodes[i % nodes.length]), ...nodes.slice(0, shape.crashable)])
  return nodes.filter((node) => !distinguished.has(node))
}

type MembershipOption = RaftOptions["membership"]

/** The changes the environment may ask for: a spare node past the first configuration to add, n1 to remove. */
const membershipPlan = (membership: MembershipOption, nodes: number): RaftConfig["membership"] => {
  switch (membership) {
    case "none":
      return undefined
    case "add":
      return { add: `n${nodes + 1}` }
    case "remove":
      return { remove: "n1" }
    case "add-remove":
      return { add: `n${nodes + 1}`, remove: "n1" }
  }
}

/**
 * The options that shape the reducer, as against the search's boundary, the
 * clients, the network and the faults: what `parley trace replay` must run
 * as the check had it.
 */
export type RaftReducerOptions = Pick<RaftOptions, "nodes" | "prevote" | "checkquorum" | "leaseReads" | "snapshotEvery" | "membership" | "transfer" | "profile">

/** The configuration of the reducer a check of `options` runs; the options are checked by `raftSpec`. */
export const checkedRaftConfig = (options: RaftReducerOptions, bugs: RaftBugs): RaftConfig => {
  const nodes = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`)
  const plan = membershipPlan(options.membership, options.nodes)
  const appends = appendsOf(options.profile)
  return {
    nodes,
    preVote: options.prevote,
    checkQuorum: options.checkquorum,
    leaseReads: options.leaseReads,
    maxEntriesPerAppend: appends.entriesPerAppend,
    ...(appends.pipelinedAppends ? { pipelinedAppends: true } : {}),
    snapshotEvery: options.snapshotEvery,
    ...(plan === undefined ? {} : { membership: plan }),
    ...(options.transfer ? { leadershipTransfer: true } : {}),
    bugs
  }
}

const raftSystem = (options: RaftOptions, bugs: RaftBugs): RaftSystem => {
  const shape = clusterShape(options)
  if (shape.leaseReads && !shape.checkquorum) {
    throw new RangeError("--lease-reads needs --checkquorum: a lease stands on followers that refuse votes while they hear from their leader")
  }
  const config = checkedRaftConfig(options, bugs)
  const { nodes } = config
  const plan = config.membership
  const { campaigners } = options
  const actor = raftActor(config)
  // A spare node runs from the start, outside the configuration until a leader adds it.
  const slots = plan?.add === undefined ? nodes : [...nodes, plan.add]
  const symmetric = interchangeable(nodes, shape)
  return {
    nodes: slots.map((id) => ({ id, actor })),
    clients: Array.from({ length: shape.clients }, (_, i) => ({ id: `c${i + 1}`, client: kvClient(nodes, i, shape.requests, shape.retries) })),
    network: shape.network,
    lossy: shape.lossy,
    maxCrashes: shape.crashes,
    crashable: nodes.slice(0, shape.crashable),
    ...(symmetric.length >= 2 ? { symmetric } : {}),
    ghost: raftHistory,
    properties: [...raftProperties({ ...shape, fixedMembership: plan === undefined }), ...membershipProperties(config)],
    transitions: raftTransitions,
    within: (s) =>
      termsWithin(s, shape.maxTerm) &&
      (campaigners >= slots.length || campaignsWithin(s, campaigners)) &&
      (!shape.leaseReads || (roundsWithin(s) && leaseClockHolds(s, slots))) &&
      (shape.maxLog === 0 || logsWithin(s, shape.maxLog)) &&
      (shape.maxInFlight === 0 || inFlightCount(s, shape.countsClients) <= shape.maxInFlight) &&
      linkQueues(s.network).every((queue) => atMostOfEachKind(queue, shape.perKind)),
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
    },
    "duplicate-append": {
      description: "a follower appends the entries it is sent after its last entry instead of at prevLogIndex+1 " +
        "(Figure 2, AppendEntries rule 4: append only entries not already in the log), so a retransmitted AppendEntries duplicates them",
      bugs: { duplicateAppend: true }
    },
    "replay-uncommitted": {
      description: "a restarted node replays its whole durable log into its store, as if everything it persisted were committed " +
        "(Figure 2: commitIndex and lastApplied are volatile and start at 0)",
      bugs: { replayUncommitted: true }
    },
    "lease-past-expiry": {
      description: "with lease reads, a leader whose lease timer fired keeps serving reads on the lease it held; " +
        "when its clock runs slow against the followers', they time out and elect a new leader, which commits writes the old one does not see; " +
        "needs --lease-reads --checkquorum",
      bugs: { leasePastExpiry: true }
    },
    "stale-snapshot": {
      description: "a follower installs any snapshot the leader sends, one at or below its commit index included, and drops its whole log " +
        "for it (§7 keeps the entries after a snapshot the log matches; etcd ignores a snapshot at or below its commit index); " +
        "needs --snapshot-every",
      bugs: { staleSnapshot: true }
    },
    "membership-without-commit": {
      description: "a new leader starts a membership change before it has committed an entry of its own term (thesis §4.1, " +
        "the single-server-change bug: Ongaro, raft-dev 2015), so two changes from one configuration have disjoint quorums; " +
        "needs --membership add-remove and four nodes",
      bugs: { changeBeforeCommit: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: raftSystem(options, bugs) }),
  presets: profilePresets
})
