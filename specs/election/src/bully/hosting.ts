/**
 * The Bully election as the runtime hosts it: the reducer `parley check
 * bully --heartbeats` explores (bugs off, or a variant, loudly), nodes `n1`…`nN` ranked by their
 * order in the cluster file, real timers, and `GET /v1/leader`. Bully has
 * no epoch: its status says null, and a node cannot tell a stale leader
 * from a current one but by rank.
 */
import { CorrectVariant, hostedSpec } from "@parley/core"
import { Schema } from "effect"
import { answeringLeaderQuery, electionApi, electionStatusFields, keepingStarted, LeaderAnswer, LeaderQuery, onByDefault, StartedRecord } from "../hosting.ts"
import { BullyMessage } from "./messages.ts"
import type { BullyTimer } from "./messages.ts"
import { bullyNode } from "./node.ts"
import type { BullyState } from "./node.ts"
import { bullySpec } from "./spec.ts"

/**
 * Timer defaults for one machine or a LAN. A follower suspects its leader
 * after 1 to 1.5 s without a Heartbeat (one every 150 ms); a node that hears
 * no Answer in 500 ms leads, so a message slower than that makes two
 * leaders (Bully's synchrony, README); a restarted node waits 500 ms for its
 * links before it holds its election.
 */
export const bullyTimerDefaults = {
  "answer-timeout": { minMs: 500, maxMs: 500 },
  "coordinator-timeout": { minMs: 1500, maxMs: 1500 },
  "leader-timeout": { minMs: 1000, maxMs: 1500 },
  boot: { minMs: 500, maxMs: 500 },
  heartbeat: { minMs: 150, maxMs: 150 }
} as const satisfies Record<BullyTimer, { readonly minMs: number; readonly maxMs: number }>

export const BullyStatus = Schema.Struct({
  ...electionStatusFields,
  /** The leader its failure detector suspected, until the election that followed ends. */
  suspected: Schema.NullOr(Schema.String)
})
export type BullyStatus = typeof BullyStatus.Type

const statusOf = (s: BullyState): BullyStatus => ({ role: "node", phase: s.phase, leader: s.leader, epoch: null, suspected: s.suspected })

export const bullyHosted = hostedSpec({
  name: "bully",
  message: BullyMessage,
  request: LeaderQuery,
  response: LeaderAnswer,
  durable: StartedRecord,
  /** `heartbeats: false` runs the reducer of `parley check bully` without `--heartbeats`. */
  options: Schema.Struct({ heartbeats: onByDefault }),
  variants: bullySpec.variants,
  actor: (nodes, options, variant) =>
    keepingStarted(
      answeringLeaderQuery(bullyNode(bullySpec.bugsOf(variant ?? CorrectVariant), nodes, { heartbeats: options.heartbeats }), (s) => ({ node: s.self, ...statusOf(s) }))
    ),
  timerKind: (timer) => timer,
  timers: bullyTimerDefaults,
  api: electionApi({ schema: BullyStatus, of: statusOf }, true)
})
