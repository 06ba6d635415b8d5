/**
 * ZooKeeper-style election as the runtime hosts it: the reducers `parley
 * check zk --keepalive --crashes 1` explores (bugs off), the coordination
 * service as a node of its own, `zk`, beside the election nodes
 * `n1`…`nN` (`parley cluster up zk --nodes 3`), real timers for pings and
 * session timeouts, and `GET /v1/leader`. A follower knows only that it
 * does not lead; the service names the owner of the lowest znode.
 */
import { CorrectVariant, hostedSpec } from "@parley/core"
import type { NodeLayout } from "@parley/core"
import { Schema } from "effect"
import { nodeIds } from "../cluster.ts"
import { answeringLeaderQuery, electionApi, electionStatusFields, LeaderAnswer, LeaderQuery, onByDefault } from "../hosting.ts"
import { ZkDurable, ZkMessage } from "./messages.ts"
import type { ZkTimer } from "./messages.ts"
import { zkActor } from "./node.ts"
import type { ZkState } from "./node.ts"
import { ZkService } from "./service.ts"
import { zkElectionSpec } from "./spec.ts"

/** A ping every 300 ms; a session not pinged for 2 s expires, its znode deleted. */
export const zkTimerDefaults = {
  keepalive: { minMs: 300, maxMs: 300 },
  "session-timeout": { minMs: 2000, maxMs: 2000 }
} as const

const timerKind = (timer: ZkTimer): keyof typeof zkTimerDefaults => (timer._tag === "Expire" ? "session-timeout" : "keepalive")

export const ZkStatus = Schema.Struct({
  ...electionStatusFields,
  /** A node's session and its znode, and the znode it watches; the service's znodes, lowest first. */
  session: Schema.NullOr(Schema.Int),
  znode: Schema.NullOr(Schema.String),
  watching: Schema.NullOr(Schema.String),
  znodes: Schema.NullOr(Schema.Array(Schema.String))
})
export type ZkStatus = typeof ZkStatus.Type

const znode = (seq: number | null): string | null => (seq === null ? null : `n-${seq}`)

const statusOf = (s: ZkState): ZkStatus => {
  if (s.role === "service") {
    const lowest = s.children[0]
    return {
      role: "service",
      phase: "serving",
      leader: lowest?.owner ?? null,
      epoch: lowest?.seq ?? null,
      session: null,
      znode: null,
      watching: null,
      znodes: s.children.map((c) => `n-${c.seq} (${c.owner})`)
    }
  }
  const leads = s.phase === "leader"
  return {
    role: "node",
    phase: s.phase,
    leader: leads ? s.self : null,
    epoch: leads ? s.own : null,
    session: s.session,
    znode: znode(s.own),
    watching: znode(s.watched),
    znodes: null
  }
}

const layout: NodeLayout = {
  counts: "nodes",
  ids: (count) => [ZkService, ...nodeIds(count)],
  check: (ids) =>
    !ids.includes(ZkService)
      ? `a zk cluster needs a node "${ZkService}", the coordination service; the others elect`
      : ids.length < 2
      ? "a zk cluster needs at least one election node beside the service"
      : undefined
}

export const zkHosted = hostedSpec({
  name: "zk",
  message: ZkMessage,
  request: LeaderQuery,
  response: LeaderAnswer,
  durable: ZkDurable,
  /** `keepalive: false` runs the reducer of `parley check zk` without `--keepalive`. */
  options: Schema.Struct({ keepalive: onByDefault }),
  variants: zkElectionSpec.variants,
  actor: (nodes, options, variant) =>
    answeringLeaderQuery(
      zkActor(zkElectionSpec.bugsOf(variant ?? CorrectVariant), nodes.filter((id) => id !== ZkService), { keepAlive: options.keepalive }),
      (s) => ({ node: s.role === "service" ? ZkService : s.self, ...statusOf(s) })
    ),
  layout,
  timerKind,
  timers: zkTimerDefaults,
  api: electionApi({ schema: ZkStatus, of: statusOf }, false)
})
