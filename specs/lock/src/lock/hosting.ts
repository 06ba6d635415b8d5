/**
 * The lease lock as the runtime hosts it: the very server and resource
 * `parley check lock` explores, bugs off (or the naive recipe's resource,
 * as a loud variant), on two nodes, `redis` (the lock server, named for the
 * recipe it models) and `resource` (the protected resource). The model's
 * logical clock is the host's `tick` timer: a tick every `tickMs`, and a
 * lease of `ttlMs` lasts ttlMs / tickMs ticks and one more. Clients are
 * HTTP clients (`parley lock`), not nodes. Routes: routes.ts.
 */
import { everyNodeAnswers, hostedSpec } from "@parley/core"
import { Effect, Schema } from "effect"
import { fencedRecipe, LockServer, Resource } from "./config.ts"
import { LeaseDurable, LeaseMessage } from "./messages.ts"
import { leaseActor } from "./node.ts"
import type { LeaseNodeState } from "./node.ts"
import type { ResourceEntry, ResourceState } from "./resource.ts"
import { LockRequest, LockResponse } from "./requests.ts"
import { lockRoutes } from "./routes.ts"
import { lockSpec } from "./spec.ts"

export const LockHostOptions = Schema.Struct({
  /** The milliseconds of one tick of the lock server's clock; keep `timers.tick` of the cluster file (if set) the same. */
  tickMs: Schema.Int.check(Schema.isBetween({ minimum: 10, maximum: 1000 })).pipe(Schema.withDecodingDefault(Effect.succeed(100))),
  /**
   * Ticks a lease asked for by a model client lasts: a client node, whose
   * message names no ttl, as `parley trace replay` plays the check's
   * (`--ttl`). HTTP clients give theirs in milliseconds.
   */
  modelTtl: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })).pipe(Schema.withDecodingDefault(Effect.succeed(1)))
})
export type LockHostOptions = typeof LockHostOptions.Type

export const lockTimerDefaults = { tick: { minMs: 100, maxMs: 100 } } as const


export const LockStatus = Schema.Struct({
  role: Schema.Literals(["server", "resource"]),
  /** The lock server's: locks held now, and the last token it gave (0 before any). */
  held: Schema.NullOr(Schema.Int),
  lastToken: Schema.NullOr(Schema.Int),
  /** The resource's: names written to, and writes refused for a stale token. */
  entries: Schema.NullOr(Schema.Int),
  refused: Schema.NullOr(Schema.Int),
  /** The resource's: writes it took with a token older than one it took before (an unfenced resource's stale writes), of those it keeps. */
  staleTaken: Schema.NullOr(Schema.Int)
})
export type LockStatus = typeof LockStatus.Type

/** The resource's status, in either lock cluster: names written to, and writes refused for a stale token. */
export const resourceStatus = (s: ResourceState) =>
  ({
    role: "resource",
    entries: s.entries.length,
    refused: s.entries.reduce((sum, e) => sum + e.rejected, 0),
    staleTaken: s.entries.reduce((sum, e) => sum + staleTaken(e), 0)
  }) as const

/** The writes an entry keeps that came with a token older than one taken before them. */
const staleTaken = (entry: ResourceEntry): number => {
  let newest = 0
  let stale = 0
  for (const write of entry.writes) {
    if (write.token < newest) stale++
    newest = Math.max(newest, write.token)
  }
  return stale
}

const statusOf = (s: LeaseNodeState): LockStatus => {
  switch (s.role) {
    case "server":
      return { role: "server", held: s.leases.length, lastToken: s.grants, entries: null, refused: null, staleTaken: null }
    case "resource":
      return { ...resourceStatus(s), held: null, lastToken: null }
    case "client":
      throw new RangeError("a hosted lock cluster runs no client node")
  }
}

export const lockHosted = hostedSpec({
  name: "lock",
  message: LeaseMessage,
  request: LockRequest,
  response: LockResponse,
  durable: LeaseDurable,
  options: LockHostOptions,
  // Hosted, a variant's bug is the resource's (it checks no token) or the model clients' (their release), which the replayer plays.
  variants: lockSpec.variants,
  actor: (_nodes, options, variant) =>
    leaseActor({ clients: [], ttl: options.modelTtl, bugs: variant === undefined ? fencedRecipe : lockSpec.bugsOf(variant), tickMs: options.tickMs }),
  layout: {
    counts: "nodes",
    ids: () => [LockServer, Resource],
    check: (ids) =>
      ids.length === 2 && ids.includes(LockServer) && ids.includes(Resource)
        ? undefined
        : `a lock cluster is two nodes, "${LockServer}" (the lock server) and "${Resource}" (the resource); got ${ids.join(", ")}`
  },
  timerKind: (timer) => timer,
  timers: lockTimerDefaults,
  api: {
    routes: lockRoutes,
    status: { schema: LockStatus, of: statusOf },
    answers: (response) => response.seq,
    outcome: (response) => (response._tag === "Elsewhere" ? { _tag: "Elsewhere", node: response.node } : { _tag: "Answer", answer: response }),
    forwarding: {
      target: (_state, request) => (request._tag === "Write" || request._tag === "Read" ? Resource : LockServer),
      unavailable: (lastKnown, timeoutMs) => `${lastKnown ?? "the node that takes the request"} did not answer within ${timeoutMs} ms`
    },
    ready: everyNodeAnswers
  }
})
