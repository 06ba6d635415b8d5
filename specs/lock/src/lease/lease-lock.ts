/**
 * `lock`: a lock server with leases (`redis`), a protected resource
 * (`resource`) and clients `c1`…`cN` that each acquire the lock once, may be
 * paused past their lease, write, and release. The correct variant is the
 * fenced recipe; `naive` is the common Redis recipe. The server's clock, the
 * clients' attempts and the network are bounded in the model's boundary,
 * never in the reducers.
 */
import { configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { fencedRecipe, LockServer, Resource } from "./config.ts"
import type { LeaseBugs } from "./config.ts"
import { formatLeaseMessage, formatLeaseTimer, leaseView } from "./format.ts"
import { leaseActor } from "./node.ts"
import { clientsOf, leaseProperties, leaseTransitions, serverOf } from "./properties.ts"
import type { LeaseSystem } from "./properties.ts"

export const leaseVariants = [
  {
    name: "naive",
    description: "the common Redis recipe: SET NX PX, no renewal, release by GET then DEL, and a resource that checks no token; " +
      "a client paused past its lease writes after the next holder did"
  },
  {
    name: "get-then-del",
    description: "fenced, but released by GET then DEL in two steps: the lease expires in between, another client acquires, and the DEL deletes its lock"
  },
  {
    name: "unfenced",
    description: "tokens, renewal and an atomic release, but a resource that does not compare tokens"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, LeaseBugs>> = {
  [CorrectVariant]: fencedRecipe,
  naive: { twoStepRelease: true, resourceIgnoresTokens: true, noRenewal: true },
  "get-then-del": { ...fencedRecipe, twoStepRelease: true },
  unfenced: { ...fencedRecipe, resourceIgnoresTokens: true }
}

export interface LeaseOptions {
  readonly clients: number
  readonly ttl: number
  /** The latest time of the server's clock explored. */
  readonly maxTime: number
  /** Acquire requests each client may send. */
  readonly attempts: number
  readonly network: NetworkSemantics
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("lock", name, value, min, max)

export const leaseSystem = (options: LeaseOptions): LeaseSystem => {
  requireWhole("clients", options.clients, 1, 3)
  requireWhole("ttl", options.ttl, 1, 3)
  requireWhole("max-time", options.maxTime, 1, 6)
  requireWhole("attempts", options.attempts, 1, 3)
  const bugs = variantBugs[options.variant]
  if (bugs === undefined) {
    throw new TypeError(`lock has no variant "${options.variant}"; its variants: ${Object.keys(variantBugs).join(", ")}`)
  }
  const clients = Array.from({ length: options.clients }, (_, i) => `c${i + 1}`)
  const actor = leaseActor({ clients, ttl: options.ttl, bugs })
  return {
    nodes: [LockServer, Resource, ...clients].map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: 0,
    properties: leaseProperties(bugs, clients),
    transitions: leaseTransitions,
    within: (s) => (serverOf(s)?.now ?? 0) <= options.maxTime && clientsOf(s).every((c) => c.attempts <= options.attempts),
    formatMessage: formatLeaseMessage,
    formatTimer: formatLeaseTimer,
    view: leaseView
  }
}


export const lockSpec: SpecDefinition = {
  module: import.meta.url,
  name: "lock",
  description: "A lock with leases on a logical clock, clients that pause past their lease, and a protected resource: " +
    "fenced (tokens, renewal, atomic release) by default, the naive Redis recipe as a variant",
  options: [
    { kind: "int", name: "clients", description: "clients, each acquiring the lock once", default: 2, min: 1, max: 3 },
    { kind: "int", name: "ttl", description: "ticks of the server's clock a lease lasts", default: 1, min: 1, max: 3 },
    { kind: "int", name: "max-time", description: "the latest time of the server's clock explored (the search's boundary)", default: 2, min: 1, max: 6 },
    { kind: "int", name: "attempts", description: "Acquire requests each client may send (the search's boundary)", default: 2, min: 1, max: 3 },
    networkOption("unordered")
  ],
  variants: leaseVariants,
  build: (config) => {
    const network = configNetwork(config, "lock")
    return {
      _tag: "System",
      system: leaseSystem({
        clients: configInt(config, "clients"),
        ttl: configInt(config, "ttl"),
        maxTime: configInt(config, "max-time"),
        attempts: configInt(config, "attempts"),
        network,
        variant: configString(config, "variant")
      })
    }
  }
}
