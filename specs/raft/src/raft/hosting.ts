/**
 * Raft as the runtime hosts it: the same reducer the checker explores, with
 * the Schemas of its wire messages, requests, responses and durable state,
 * snapshots every 1024 applied entries (the model takes none by default),
 * timer defaults for a cluster on one machine or one LAN, the replicated
 * key-value store's client API, and the leader's clock stamped on each
 * request, from which the log's time and the end of idle sessions follow.
 */
import { CorrectVariant, hostedSpec } from "@parley/core"
import type { HostedApi, Outcome } from "@parley/core"
import { bucketCount, replicatedKvApi } from "@parley/kv"
import type { KvOutput } from "@parley/kv"
import { Effect, Schema } from "effect"
import { latestConfiguration } from "./membership.ts"
import { hostedRaftActor, membershipRoutes } from "./membership-api.ts"
import { formatHostedRaftRequest, formatHostedRaftResponse, HostedRaftRequest, HostedRaftResponse, MemberId } from "./membership-requests.ts"
import type { MembershipOutput } from "./membership-requests.ts"
import { RaftDurable, RaftMessage } from "./messages.ts"
import type { RaftTimer } from "./messages.ts"
import { raftActor } from "./node.ts"
import { defaultSessionExpiryMs } from "./state-machine.ts"
import { raftSpec } from "./spec.ts"
import { lastIndex } from "./state.ts"
import type { RaftConfig, RaftState } from "./state.ts"

/**
 * PreVote and CheckQuorum are on by default, as etcd runs them: a node cut
 * off by a partition neither inflates the term when it returns nor keeps
 * leading a minority. Off, the runtime runs exactly the default model.
 */
export const RaftHostOptions = Schema.Struct({
  prevote: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))),
  checkquorum: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))),
  /**
   * Lease reads (reads.ts): a leader answers a Get at once while its lease
   * holds, instead of after a round of heartbeats. Safe only while no
   * clock drifts past the margin between the `lease` timer and the
   * shortest election timeout (README, "Reads"); needs CheckQuorum.
   */
  leaseReads: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(false))),
  /**
   * A leader sends each new entry at once to a follower still to answer
   * for the one before, once that one is committed (replication.ts
   * `appendNewEntry`), so both followers race to acknowledge a write at one
   * connection; off, the reducer of the model's default check.
   */
  pipelinedAppends: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))),
  /** Entries per AppendEntries: a follower catching up gets this many per round trip. */
  maxEntriesPerAppend: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 })).pipe(
    Schema.withDecodingDefault(Effect.succeed(256))
  ),
  /**
   * Entries applied between two snapshots (§7). A snapshot saves the whole
   * store, so rarer is cheaper on disk; memory and disk keep the snapshot
   * and the entries since it, at most about this many plus a batch.
   */
  snapshotEvery: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000_000 })).pipe(
    Schema.withDecodingDefault(Effect.succeed(1024))
  ),
  /** The most bytes of a snapshot in one InstallSnapshot: a larger store goes in chunks of whole buckets, each acknowledged. */
  snapshotChunkBytes: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 8 * 1024 * 1024 })).pipe(
    Schema.withDecodingDefault(Effect.succeed(1024 * 1024))
  ),
  /**
   * Membership changes and leadership transfer by request (`parley cluster
   * add | remove | transfer`, membership-api.ts). Off, the members are the
   * cluster file's nodes, fixed, and the reducer is the model's default one,
   * as `parley trace replay` needs it; a transfer still works.
   */
  membershipChanges: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))),
  /**
   * The model's environment, for `parley trace replay` of a check with
   * `--membership` or `--transfer`: the model's membership (its first
   * configuration, the cluster's other nodes spares outside it, and the
   * changes the environment may ask a leader for) and whether it may ask
   * for a transfer. It asks by the timers a host never arms
   * (`environmentTimers`), which the replayer fires on a controlled node;
   * the node starts as the checked one, its first snapshot naming no
   * configuration. Absent: the cluster's own membership, as
   * `membershipChanges` says.
   */
  modelEnvironment: Schema.optional(Schema.Struct({
    membership: Schema.optional(Schema.Struct({
      members: Schema.Array(MemberId).check(Schema.isMinLength(1)),
      add: Schema.optional(MemberId),
      remove: Schema.optional(MemberId)
    })),
    transfer: Schema.Boolean
  })),
  /** A client session idle this long by the log's time ends (thesis §6.3); a retry after that is a new operation. */
  sessionExpiryMs: Schema.Int.check(Schema.isBetween({ minimum: 100, maximum: 7 * 24 * 3_600_000 })).pipe(
    Schema.withDecodingDefault(Effect.succeed(defaultSessionExpiryMs))
  )
}).check(
  Schema.makeFilter((options) => !options.leaseReads || options.checkquorum || "leaseReads needs checkquorum: a lease stands on followers that refuse votes while they hear from the leader"),
  Schema.makeFilter((options) =>
    options.modelEnvironment?.membership === undefined || !options.membershipChanges ||
    "modelEnvironment.membership is the model's membership in place of the cluster's: it needs membershipChanges false"
  )
)
export type RaftHostOptions = typeof RaftHostOptions.Type

/**
 * Timer defaults. Heartbeats every 50 ms; an election timeout drawn from
 * 500 to 1000 ms. The timeout is ten heartbeats at the least, so a
 * follower tolerates several lost or late heartbeats (a GC pause, a slow
 * fsync) before it campaigns; drawing it from a range as wide as its base
 * makes split votes rare (Raft paper §9.3). etcd's defaults are twice these
 * (100 ms, 1000 to 2000 ms), sized for a WAN; on loopback and a LAN the
 * smaller ones halve the time a failed leader leaves writes unavailable.
 * CheckQuorum looks once per longest election timeout, as etcd does.
 * A lease (with `leaseReads`) lasts 400 ms from the round of heartbeats
 * that a majority answered: 100 ms, a fifth of the shortest election
 * timeout, is the margin for clocks that run at different rates and for a
 * leader whose timer fires late (a pause). Keep it so if you change either.
 */
export const raftTimerDefaults = {
  election: { minMs: 500, maxMs: 1000 },
  heartbeat: { minMs: 50, maxMs: 50 },
  "check-quorum": { minMs: 1000, maxMs: 1000 },
  lease: { minMs: 400, maxMs: 400 }
} as const satisfies Record<Exclude<RaftTimer, EnvironmentTimer>, { readonly minMs: number; readonly maxMs: number }>

/**
 * The timers by which the model's environment asks a leader for a change; a
 * hosted cluster asks by request (membership-api.ts), so its nodes never arm
 * them, and a cluster file may not set them.
 */
const environmentTimers = {
  "add-member": "a cluster adds a node by `parley cluster add NODE`",
  "remove-member": "a cluster removes a node by `parley cluster remove NODE`",
  "transfer-leadership": "a cluster hands leadership over by `parley cluster transfer NODE`"
} as const
type EnvironmentTimer = keyof typeof environmentTimers

/** What `GET /v1/status` reports of a Raft node. */
export const RaftStatus = Schema.Struct({
  role: Schema.String,
  term: Schema.Int,
  leader: Schema.NullOr(Schema.String),
  commitIndex: Schema.Int,
  appliedIndex: Schema.Int,
  /** Client sessions the applied state keeps (thesis §6.3). */
  sessions: Schema.Int,
  /** The last entry the node's snapshot covers; the log before it is dropped (§7). */
  snapshotIndex: Schema.Int,
  /** Entries the node keeps in its log, after the snapshot. */
  logEntries: Schema.Int,
  /** Reads answered in this term as leader: by a round of heartbeats (ReadIndex), and under the lease. */
  readsByIndex: Schema.Int,
  readsByLease: Schema.Int,
  /** The members of the latest configuration this node holds (membership.ts), and whether that one is committed yet. */
  members: Schema.Array(Schema.String),
  membershipPending: Schema.Boolean
})
export type RaftStatus = typeof RaftStatus.Type

/** The members a node starts with and the changes planned: the model's, for a replay; else the cluster file's nodes, with changes by request when on. */
const membershipOf = (nodes: ReadonlyArray<string>, options: RaftHostOptions): Pick<RaftConfig, "nodes" | "membership" | "leadershipTransfer"> => {
  const model = options.modelEnvironment
  const transfer = model?.transfer === true ? { leadershipTransfer: true } : {}
  if (model?.membership !== undefined) {
    const { members, add, remove } = model.membership
    return { nodes: members, membership: { ...(add === undefined ? {} : { add }), ...(remove === undefined ? {} : { remove }) }, ...transfer }
  }
  // On, with no change planned: the model's environment timers are never armed; changes come by request.
  return { nodes, ...(options.membershipChanges ? { membership: {} } : {}), ...transfer }
}

/** The reducer a node runs: Raft with membership changes on (its first configuration the cluster file's first nodes), taking the cluster's requests for them. */
const hostedConfig = (nodes: ReadonlyArray<string>, options: RaftHostOptions, variant: string | undefined): RaftConfig => ({
  preVote: options.prevote,
  checkQuorum: options.checkquorum,
  leaseReads: options.leaseReads,
  maxEntriesPerAppend: options.maxEntriesPerAppend,
  pipelinedAppends: options.pipelinedAppends,
  sessionExpiryMs: options.sessionExpiryMs,
  snapshotEvery: options.snapshotEvery,
  snapshotChunkBytes: options.snapshotChunkBytes,
  bugs: raftSpec.bugsOf(variant ?? CorrectVariant),
  ...membershipOf(nodes, options)
})

const kvApi = replicatedKvApi((s: RaftState) => s.leader, {
  schema: RaftStatus,
  of: (s: RaftState) => {
    const configuration = latestConfiguration(statusConfig, s)
    return {
      role: s.role,
      term: s.term,
      leader: s.leader,
      commitIndex: s.commitIndex,
      appliedIndex: s.lastApplied,
      sessions: bucketCount(s.sessions),
      snapshotIndex: s.snapshot.index,
      logEntries: lastIndex(s) - s.snapshot.index,
      readsByIndex: s.reads.byIndex,
      readsByLease: s.reads.byLease,
      members: configuration.members,
      membershipPending: configuration.index > s.commitIndex
    }
  }
})

/**
 * The configuration a status reports is the one the node's log or snapshot
 * names: a hosted node's first snapshot names the first (membership-api.ts).
 * One saved before that, and never snapshotted since, reports none.
 */
const statusConfig: RaftConfig = hostedConfig([], Schema.decodeUnknownSync(RaftHostOptions)({ membershipChanges: true }), undefined)

/** The key-value store's API with the membership routes beside it; an answer is the store's or a change's. */
const hostedApi: HostedApi<RaftState, HostedRaftRequest, HostedRaftResponse, KvOutput | MembershipOutput, RaftStatus> = {
  ...kvApi,
  routes: [...kvApi.routes, ...membershipRoutes],
  answers: (response) => response.seq,
  outcome: (response): Outcome<KvOutput | MembershipOutput> =>
    response._tag === "Done" ? { _tag: "Answer", answer: response.output } : { _tag: "Elsewhere", node: response.leader }
}

export const raftHosted = hostedSpec({
  name: "raft",
  message: RaftMessage,
  request: HostedRaftRequest,
  response: HostedRaftResponse,
  durable: RaftDurable,
  options: RaftHostOptions,
  // Every variant the checker catches can run as a real cluster too, to show it caught there (`parley test`).
  variants: raftSpec.variants,
  actor: (nodes, options, variant) => {
    const config = hostedConfig(nodes, options, variant)
    // A replay's node starts as the checked one, whose first snapshot names no configuration.
    return hostedRaftActor(config, raftActor(config), { namesFirstConfiguration: options.modelEnvironment?.membership === undefined })
  },
  // The leader's clock, as Raft's log time: the reducer writes it into the entry it appends (state-machine.ts).
  stampRequest: (request, nowMs) => ({ ...request, at: nowMs }),
  // The leader's fsync in parallel with its followers' (thesis §10.2.1), as etcd's leader does: see HostedSpec.
  sendsBeforeSave: (message) => message._tag === "AppendEntries",
  timerKind: (timer) => timer,
  timers: raftTimerDefaults,
  environmentTimers,
  api: hostedApi,
  formatRequest: formatHostedRaftRequest,
  formatResponse: formatHostedRaftResponse,
  // The checked spec's ElectableCompleteness stands on one configuration (properties.ts); these nodes may change theirs.
  unjudgedProperties: (options) =>
    options.membershipChanges || options.modelEnvironment?.membership !== undefined
      ? [{ property: "ElectableCompleteness", why: "it counts majorities of one configuration, and this cluster takes membership changes" }]
      : []
})
