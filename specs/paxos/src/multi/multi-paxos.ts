/**
 * `multi-paxos`: the Multi-Paxos reducer (node.ts) as a cluster of nodes
 * `n1`…`nN`, each proposer, acceptor and learner, replicating a key-value
 * log for clients `c1`…`cK` that work through short scripts of operations.
 * The bounds (the highest ballot, the highest slot, the crash budget, client
 * retries) are the model's boundary, not the reducer's: the reducer is the
 * one a runtime would host.
 */
import { bugsOf, configFlag, configInt, configNetwork, configString, lossyOption, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { kvClient } from "@parley/kv"
import { numberedIds, paxosVariantBugs } from "../config.ts"
import type { MultiPaxosConfig } from "./config.ts"
import { formatMultiPaxosMessage, formatMultiPaxosRequest, formatMultiPaxosResponse, formatMultiPaxosTimer, multiPaxosView } from "./format.ts"
import { multiPaxosActor } from "./node.ts"
import { multiPaxosProperties } from "./properties.ts"
import type { MultiPaxosSystem, MultiPaxosSystemState } from "./properties.ts"

export const multiPaxosVariants = [
  {
    name: "forget-promise",
    description: "an acceptor writes only its votes to disk, so after a restart it takes an Accept below a promise it gave; " +
      "needs a crash budget of at least 1"
  },
  {
    name: "ignore-accepted",
    description: "a new leader re-proposes its own acceptor's vote in each slot (a no-op where it has none), " +
      "ignoring the higher-ballot votes its quorum's promises reported"
  }
] as const satisfies ReadonlyArray<SpecVariant>

export interface MultiPaxosOptions {
  readonly nodes: number
  readonly clients: number
  /** Operations in each client's script. */
  readonly requests: number
  /** Times a client may resend one operation after its retry timer fires. */
  readonly retries: number
  /** The highest ballot explored; ballot b is node ((b - 1) mod N) + 1's, so 2 lets n1 and then n2 lead. */
  readonly maxBallot: number
  /** The highest slot explored. */
  readonly slots: number
  /** Crashes of any nodes in one behaviour; each crashed node may restart. */
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("multi-paxos", name, value, min, max)

/** Every promise, live or on a crashed node's disk, is within `maxBallot`, and every vote within `slots`: the search's boundary. */
const withinBounds = (s: MultiPaxosSystemState, maxBallot: number, slots: number): boolean =>
  s.nodes.every((node) => {
    const acceptor = node.up ? node.state : node.durable
    return acceptor.promised <= maxBallot && acceptor.accepted.every((vote) => vote.slot <= slots)
  })

export const multiPaxosSystem = (options: MultiPaxosOptions): MultiPaxosSystem => {
  requireWhole("nodes", options.nodes, 1, 5)
  requireWhole("clients", options.clients, 0, 2)
  requireWhole("requests", options.requests, 1, 3)
  requireWhole("retries", options.retries, 0, 3)
  requireWhole("max-ballot", options.maxBallot, 1, 6)
  requireWhole("slots", options.slots, 1, 4)
  requireWhole("crashes", options.crashes, 0, 3)
  const nodes = numberedIds("n", options.nodes)
  const config: MultiPaxosConfig = { nodes, bugs: bugsOf("multi-paxos", paxosVariantBugs, options.variant) }
  const actor = multiPaxosActor(config)
  return {
    nodes: nodes.map((id) => ({ id, actor })),
    clients: Array.from({ length: options.clients }, (_, i) => ({
      id: `c${i + 1}`,
      client: kvClient(nodes, i, options.requests, options.retries)
    })),
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    properties: multiPaxosProperties(config, { ...options, maxSlot: options.slots }),
    within: (s) => withinBounds(s, options.maxBallot, options.slots),
    formatMessage: formatMultiPaxosMessage,
    formatTimer: formatMultiPaxosTimer,
    formatRequest: formatMultiPaxosRequest,
    formatResponse: formatMultiPaxosResponse,
    view: multiPaxosView
  }
}

export const multiPaxosSpec: SpecDefinition = {
  module: import.meta.url,
  name: "multi-paxos",
  description: "Multi-Paxos: a distinguished leader, phase 1 once for every slot, a replicated key-value log with client requests; " +
    "safe under crash faults, not Byzantine ones",
  options: [
    { kind: "int", name: "nodes", description: "nodes, each proposer, acceptor and learner; a quorum is a majority", default: 3, min: 1, max: 5 },
    { kind: "int", name: "clients", description: "clients, each running a short script of operations on one key", default: 2, min: 0, max: 2 },
    { kind: "int", name: "requests", description: "operations in each client's script", default: 1, min: 1, max: 3 },
    {
      kind: "int",
      name: "retries",
      description: "times a client resends one operation to the next node when it gets no answer (redirects to a known leader are always followed)",
      default: 0,
      min: 0,
      max: 3
    },
    {
      kind: "int",
      name: "max-ballot",
      description: "the highest ballot explored (the search's boundary); ballot b is led by node ((b-1) mod nodes)+1",
      default: 2,
      min: 1,
      max: 6
    },
    { kind: "int", name: "slots", description: "the highest log slot explored (the search's boundary)", default: 3, min: 1, max: 4 },
    { kind: "int", name: "crashes", description: "crash budget: crashes of any nodes in one behaviour", default: 1, min: 0, max: 3 },
    networkOption("unordered"),
    lossyOption
  ],
  variants: multiPaxosVariants,
  build: (config) => ({
    _tag: "System",
    system: multiPaxosSystem({
      nodes: configInt(config, "nodes"),
      clients: configInt(config, "clients"),
      requests: configInt(config, "requests"),
      retries: configInt(config, "retries"),
      maxBallot: configInt(config, "max-ballot"),
      slots: configInt(config, "slots"),
      crashes: configInt(config, "crashes"),
      network: configNetwork(config, "multi-paxos"),
      lossy: configFlag(config, "lossy"),
      variant: configString(config, "variant")
    })
  })
}
