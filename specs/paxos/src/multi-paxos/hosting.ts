/**
 * Multi-Paxos as the runtime hosts it: the same reducer the checker
 * explores, bugs off, with the heartbeat on (followers learn, a lagging one
 * is caught up, decided slots are compacted), the Schemas of what crosses
 * the process boundary, timer defaults for one machine or a LAN, the
 * replicated key-value store's client API, and the leader's clock stamped
 * on each request, from which the end of idle client sessions follows.
 */
import { CorrectVariant, hostedSpec } from "@parley/core"
import { bucketCount, replicatedKvApi } from "@parley/kv"
import { Effect, Schema } from "effect"
import { MultiPaxosDurable, MultiPaxosMessage, MultiPaxosRequest, MultiPaxosResponse } from "./messages.ts"
import type { MultiPaxosTimer } from "./messages.ts"
import { multiPaxosActor } from "./node.ts"
import { defaultSessionExpiryMs } from "./sessions.ts"
import { multiPaxosSpec } from "./spec.ts"
import type { MultiPaxosState } from "./state.ts"

const int = (minimum: number, maximum: number, fallback: number) =>
  Schema.Int.check(Schema.isBetween({ minimum, maximum })).pipe(Schema.withDecodingDefault(Effect.succeed(fallback)))

export const MultiPaxosHostOptions = Schema.Struct({
  /**
   * Slots applied between two snapshots. A snapshot writes the whole store,
   * so rarer is cheaper on disk; the votes and learned slots kept in memory
   * are those since the oldest node's snapshot, about twice this many.
   */
  snapshotEvery: int(1, 1_000_000, 1024),
  /** Chosen slots per catch-up message to a lagging follower. */
  catchUpBatch: int(1, 10_000, 256),
  /** A client session idle this long by the leader's clock ends; a retry after that is a new operation. */
  sessionExpiryMs: int(100, 7 * 24 * 3_600_000, defaultSessionExpiryMs),
  /**
   * The heartbeat and its resends to idle peers (config.ts). A cluster needs
   * both; off, the nodes run the reducer of the default check, which is what
   * `parley trace replay` runs to make a check's counterexample happen.
   */
  heartbeats: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))),
  resendIdle: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true)))
})
export type MultiPaxosHostOptions = typeof MultiPaxosHostOptions.Type

/**
 * Timer defaults, Raft's: a heartbeat every 50 ms, a campaign when none was
 * heard for 500 to 1000 ms, ten heartbeats at the least, drawn from a range
 * as wide as its base so that two nodes rarely campaign at once.
 */
export const multiPaxosTimerDefaults = {
  campaign: { minMs: 500, maxMs: 1000 },
  heartbeat: { minMs: 50, maxMs: 50 }
} as const satisfies Record<MultiPaxosTimer, { readonly minMs: number; readonly maxMs: number }>

/** What `GET /v1/status` reports of a Multi-Paxos node. */
export const MultiPaxosStatus = Schema.Struct({
  role: Schema.String,
  /** The highest ballot this node promised. */
  ballot: Schema.Int,
  leader: Schema.NullOr(Schema.String),
  /** The highest slot this node knows chosen. */
  chosen: Schema.Int,
  applied: Schema.Int,
  /** The slot its durable snapshot reaches. */
  snapshot: Schema.Int,
  /** Votes and learned slots up to here are dropped: every node's snapshot holds them. */
  compacted: Schema.Int,
  /** Votes this node keeps. */
  votes: Schema.Int,
  /** Client sessions the applied state keeps. */
  sessions: Schema.Int
})
export type MultiPaxosStatus = typeof MultiPaxosStatus.Type

const statusOf = (s: MultiPaxosState): MultiPaxosStatus => ({
  role: s.leadership.role,
  ballot: s.promised,
  leader: s.leader,
  chosen: Math.max(s.applied, s.log.at(-1)?.slot ?? 0),
  applied: s.applied,
  snapshot: s.snapshot.through,
  compacted: s.compacted,
  votes: s.accepted.length,
  sessions: bucketCount(s.sessions)
})

export const multiPaxosHosted = hostedSpec({
  name: "multi-paxos",
  message: MultiPaxosMessage,
  request: MultiPaxosRequest,
  response: MultiPaxosResponse,
  durable: MultiPaxosDurable,
  options: MultiPaxosHostOptions,
  // Its known-buggy variants run too, for demonstration (`parley trace replay` of their counterexamples).
  variants: multiPaxosSpec.variants,
  actor: (nodes, options, variant) =>
    multiPaxosActor({
      nodes,
      bugs: multiPaxosSpec.bugsOf(variant ?? CorrectVariant),
      heartbeats: options.heartbeats,
      resendIdle: options.resendIdle,
      snapshotEvery: options.snapshotEvery,
      catchUpBatch: options.catchUpBatch,
      sessionExpiryMs: options.sessionExpiryMs
    }),
  // The leader's clock: the reducer writes it into the command it proposes (sessions.ts).
  stampRequest: (request, nowMs) => ({ ...request, at: nowMs }),
  timerKind: (timer) => timer,
  timers: multiPaxosTimerDefaults,
  // A node that knows the leader hands a request there at once; the leader names itself, and takes it.
  api: replicatedKvApi((s: MultiPaxosState) => s.leader, { schema: MultiPaxosStatus, of: statusOf })
})
