/**
 * Chang and Roberts's ring election as the runtime hosts it: the reducer
 * `parley check ring --probes` explores (bugs off), the ring in the cluster
 * file's order (`n1 → n2 → … → nN → n1`), real timers, and `GET
 * /v1/leader`. Crash-stop, as checked: a node the ring skipped stays
 * outside it when its process is restarted.
 */
import { CorrectVariant, hostedSpec } from "@parley/core"
import { Schema } from "effect"
import { answeringLeaderQuery, electionApi, electionStatusFields, keepingStarted, LeaderAnswer, LeaderQuery, onByDefault, StartedRecord } from "../hosting.ts"
import { RingMessage } from "./messages.ts"
import type { RingTimer } from "./messages.ts"
import { ringNode } from "./node.ts"
import type { RingState } from "./node.ts"
import { ringSpec } from "./spec.ts"

/** A Ping to the successor every 200 ms; one unanswered after 1 s has the successor skipped. */
export const ringTimerDefaults = {
  probe: { minMs: 200, maxMs: 200 },
  "check-successor": { minMs: 1000, maxMs: 1000 }
} as const satisfies Record<RingTimer, { readonly minMs: number; readonly maxMs: number }>

export const RingStatus = Schema.Struct({
  ...electionStatusFields,
  /** Successors found crashed and skipped: the ring as this node now sees it goes round them. */
  skipped: Schema.Array(Schema.String)
})
export type RingStatus = typeof RingStatus.Type

const phaseOf = (s: RingState): string =>
  s.participant ? "electing" : s.leader === s.self ? "leader" : s.leader === null ? "outside" : "follower"

const statusOf = (s: RingState): RingStatus => ({ role: "node", phase: phaseOf(s), leader: s.leader, epoch: s.leader === null ? null : s.epoch, skipped: s.skipped })

export const ringHosted = hostedSpec({
  name: "ring",
  message: RingMessage,
  request: LeaderQuery,
  response: LeaderAnswer,
  durable: StartedRecord,
  /** `probes: false` runs the reducer of `parley check ring` without `--probes`. */
  options: Schema.Struct({ probes: onByDefault }),
  variants: ringSpec.variants,
  actor: (nodes, options, variant) =>
    keepingStarted(
      answeringLeaderQuery(ringNode(ringSpec.bugsOf(variant ?? CorrectVariant), nodes, { probes: options.probes }), (s) => ({ node: s.self, ...statusOf(s) }))
    ),
  timerKind: (timer) => timer,
  timers: ringTimerDefaults,
  api: electionApi({ schema: RingStatus, of: statusOf }, true)
})
