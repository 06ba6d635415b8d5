/**
 * `lock`: a lock server with leases (`redis`), a protected resource
 * (`resource`) and clients `c1`…`cN` that each acquire the lock once, may be
 * paused past their lease, write, and release. The correct variant is the
 * fenced recipe; `naive` is the common Redis recipe. The server's clock, the
 * clients' attempts and the network are bounded in the model's boundary,
 * never in the reducers.
 */
import { defineSpec, int, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { clientIds, noFaults } from "../cluster.ts"
import { fencedRecipe, LockServer, Resource } from "./config.ts"
import type { LeaseBugs } from "./config.ts"
import { formatLeaseMessage, formatLeaseTimer, leaseView } from "./format.ts"
import { leaseActor } from "./node.ts"
import { clientsOf, leaseProperties, leaseTransitions, serverOf } from "./properties.ts"
import type { LeaseSystem } from "./properties.ts"

const leaseOptions = {
  clients: int("clients, each acquiring the lock once", { default: 2, min: 1, max: 3 }),
  ttl: int("ticks of the server's clock a lease lasts", { default: 1, min: 1, max: 3 }),
  maxTime: int("the latest time of the server's clock explored (the search's boundary)", { default: 2, min: 1, max: 6 }),
  attempts: int("Acquire requests each client may send (the search's boundary)", { default: 2, min: 1, max: 3 }),
  network: networkChoice("unordered")
} as const

export type LeaseOptions = OptionsOf<typeof leaseOptions>

/** The cluster for one configuration; the options are checked by `lockSpec`. */
export const leaseSystem = (options: LeaseOptions, bugs: LeaseBugs): LeaseSystem => {
  const clients = clientIds(options.clients)
  // A model's time is in ticks, and its clients ask for `ttl` of them: it turns no milliseconds into ticks.
  const actor = leaseActor({ clients, ttl: options.ttl, bugs, tickMs: 1 })
  return {
    ...noFaults,
    nodes: [LockServer, Resource, ...clients].map((id) => ({ id, actor })),
    network: options.network,
    properties: leaseProperties(bugs, clients),
    transitions: leaseTransitions,
    within: (s) => (serverOf(s)?.now ?? 0) <= options.maxTime && clientsOf(s).every((c) => c.attempts <= options.attempts),
    formatMessage: formatLeaseMessage,
    formatTimer: formatLeaseTimer,
    view: leaseView
  }
}

export const lockSpec = defineSpec({
  module: import.meta.url,
  name: "lock",
  description: "A lock with leases on a logical clock, clients that pause past their lease, and a protected resource: " +
    "fenced (tokens, renewal, atomic release) by default, the naive Redis recipe as a variant",
  options: leaseOptions,
  correct: fencedRecipe,
  variants: {
    naive: {
      description: "the common Redis recipe: SET NX PX, no renewal, release by GET then DEL, and a resource that checks no token; " +
        "a client paused past its lease writes after the next holder did",
      bugs: { twoStepRelease: true, resourceIgnoresTokens: true, noRenewal: true }
    },
    "get-then-del": {
      description: "fenced, but released by GET then DEL in two steps: the lease expires in between, another client acquires, " +
        "and the DEL deletes its lock",
      bugs: { twoStepRelease: true }
    },
    unfenced: {
      description: "tokens, renewal and an atomic release, but a resource that does not compare tokens",
      bugs: { resourceIgnoresTokens: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: leaseSystem(options, bugs) })
})
