/**
 * The ZooKeeper lock recipe as the runtime hosts it: the server `parley
 * check zk-lock` explores, on node `zk` (an ensemble behaves as one
 * linearizable server to the recipe), with real sessions: a session expires
 * when the server has not heard from it for the `expire` timer's delay (the
 * session timeout), and any call of its owner re-arms it. Clients are HTTP
 * clients (`parley lock`) that run the recipe's waiting: watch the
 * predecessor only, and ask again when it is deleted. Beside it, node
 * `resource` is `lock`'s protected resource, fencing with the nodes'
 * sequence numbers: a holder whose session expired unseen is refused.
 * Routes: routes.ts.
 */
import { everyNodeAnswers, hostedSpec } from "@parley/core"
import { Effect, Schema } from "effect"
import { Resource } from "../lock/config.ts"
import { resourceStatus } from "../lock/hosting.ts"
import { ZkServer, zkRecipe } from "./client.ts"
import { ZkDurable, ZkMessage } from "./messages.ts"
import type { ZkTimer } from "./messages.ts"
import { zkActor } from "./node.ts"
import type { ZkNodeState } from "./node.ts"
import { ZkRequest, ZkResponse } from "./requests.ts"
import { zkLockRoutes } from "./routes.ts"

export const ZkLockHostOptions = Schema.Struct({
  /**
   * A session's timeout as leases report it to clients, who heartbeat every
   * third of it; keep `timers.expire` of the cluster file (if set) the same.
   * A waiter's watch is its heartbeat, which the host asks again every
   * second: hence two seconds at least.
   */
  sessionTimeoutMs: Schema.Int.check(Schema.isBetween({ minimum: 2000, maximum: 600_000 })).pipe(Schema.withDecodingDefault(Effect.succeed(3000))),
  /**
   * The model's client nodes (`c1`…), which the server tells of their
   * session's expiry, as `parley trace replay` plays the check's; an HTTP
   * client learns it from its next call instead.
   */
  modelClients: Schema.Array(Schema.String.check(Schema.isMaxLength(64))).check(Schema.isMaxLength(16)).pipe(Schema.withDecodingDefault(Effect.succeed([])))
})

export const zkLockTimerDefaults = { expire: { minMs: 3000, maxMs: 3000 } } as const

export const ZkLockStatus = Schema.Struct({
  role: Schema.Literals(["server", "resource"]),
  /** The server's: ephemeral nodes under every lock, live sessions, expired ones remembered, watches waiting, the last sequence number given. */
  nodes: Schema.NullOr(Schema.Int),
  sessions: Schema.NullOr(Schema.Int),
  expired: Schema.NullOr(Schema.Int),
  watches: Schema.NullOr(Schema.Int),
  lastToken: Schema.NullOr(Schema.Int),
  /** The resource's: names written to, and writes refused for a stale token. */
  entries: Schema.NullOr(Schema.Int),
  refused: Schema.NullOr(Schema.Int),
  staleTaken: Schema.NullOr(Schema.Int)
})
export type ZkLockStatus = typeof ZkLockStatus.Type

const statusOf = (s: ZkNodeState): ZkLockStatus => {
  switch (s.role) {
    case "server":
      return {
        role: "server",
        nodes: s.children.length,
        sessions: s.sessions.filter((session) => !s.expired.includes(session)).length,
        expired: s.expired.length,
        watches: s.nodeWatches.length,
        lastToken: s.lastSeq,
        entries: null,
        refused: null,
        staleTaken: null
      }
    case "resource":
      return { ...resourceStatus(s), nodes: null, sessions: null, expired: null, watches: null, lastToken: null }
    case "client":
      throw new RangeError("a hosted zk-lock cluster runs no client node")
  }
}

export const zkLockHosted = hostedSpec({
  name: "zk-lock",
  message: ZkMessage,
  request: ZkRequest,
  response: ZkResponse,
  durable: ZkDurable,
  options: ZkLockHostOptions,
  actor: (_nodes, options) => zkActor({ bugs: zkRecipe, clients: options.modelClients, sessionTimeoutMs: options.sessionTimeoutMs, resource: true }),
  layout: {
    counts: "nodes",
    ids: () => [ZkServer, Resource],
    check: (ids) =>
      ids.length === 2 && ids.includes(ZkServer) && ids.includes(Resource)
        ? undefined
        : `a zk-lock cluster is two nodes, "${ZkServer}" (the ZooKeeper server) and "${Resource}" (the resource); got ${ids.join(", ")}`
  },
  timerKind: (timer: ZkTimer) => (timer === "release" ? "release" : "expire"),
  timers: zkLockTimerDefaults,
  api: {
    routes: zkLockRoutes,
    status: { schema: ZkLockStatus, of: statusOf },
    answers: (response) => response.seq,
    outcome: (response) => (response._tag === "Elsewhere" ? { _tag: "Elsewhere", node: response.node } : { _tag: "Answer", answer: response }),
    forwarding: {
      target: (_state, request) => (request._tag === "Write" || request._tag === "Read" ? Resource : ZkServer),
      unavailable: (lastKnown, timeoutMs) => `${lastKnown ?? "the node that takes the request"} did not answer within ${timeoutMs} ms`
    },
    ready: everyNodeAnswers
  }
})
