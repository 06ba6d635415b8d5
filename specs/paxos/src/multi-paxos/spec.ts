/**
 * `multi-paxos`: the Multi-Paxos reducer (node.ts) as a cluster of nodes
 * `n1`…`nN`, each proposer, acceptor and learner, replicating a key-value
 * log for clients `c1`…`cK` that work through short scripts of operations.
 * The bounds (the highest ballot, the highest slot, the crash budget, client
 * retries) are the model's boundary, not the reducer's: the reducer is the
 * one a runtime would host.
 */
import { defineSpec, int } from "@parley/core"
import type { NodeId, OptionsOf } from "@parley/core"
import { kvClient } from "@parley/kv"
import { noBugs, paxosVariants } from "../bugs.ts"
import type { PaxosBugs } from "../bugs.ts"
import { faultOptions, numberedIds } from "../options.ts"
import { heartbeatsWithin } from "./bounds.ts"
import type { MultiPaxosConfig } from "./config.ts"
import { formatMultiPaxosMessage, formatMultiPaxosRequest, formatMultiPaxosResponse, formatMultiPaxosTimer, multiPaxosView } from "./format.ts"
import { multiPaxosHistory } from "./history.ts"
import { multiPaxosActor } from "./node.ts"
import { multiPaxosProperties } from "./properties.ts"
import type { MultiPaxosSystem, MultiPaxosSystemState } from "./properties.ts"

const multiPaxosOptions = {
  nodes: int("nodes, each proposer, acceptor and learner; a quorum is a majority", { default: 3, min: 1, max: 5 }),
  clients: int("clients, each running a short script of operations on one key", { default: 2, min: 0, max: 2 }),
  requests: int("operations in each client's script", { default: 1, min: 1, max: 3 }),
  retries: int(
    "times a client resends one operation to the next node when it gets no answer (redirects to a known leader are always followed)",
    { default: 0, min: 0, max: 3 }
  ),
  maxBallot: int("the highest ballot explored (the search's boundary); ballot b is led by node ((b-1) mod nodes)+1", {
    default: 2,
    min: 1,
    max: 6
  }),
  slots: int("the highest log slot explored (the search's boundary)", { default: 3, min: 1, max: 4 }),
  ...faultOptions("any nodes")
} as const

export type MultiPaxosOptions = OptionsOf<typeof multiPaxosOptions>

/** Every promise, live or on a crashed node's disk, is within `maxBallot`, and every vote within `slots`: the search's boundary. */
const withinBounds = (s: MultiPaxosSystemState, maxBallot: number, slots: number): boolean =>
  s.nodes.every((node) => {
    const acceptor = node.up ? node.state : node.durable
    return acceptor.promised <= maxBallot && acceptor.accepted.every((vote) => vote.slot <= slots)
  })

/**
 * Nodes that are interchangeable in this cluster, for `--symmetry`: those
 * that lead no ballot up to `maxBallot` (ballot b is node ((b-1) mod N)+1's,
 * so renaming a leader would change who leads which ballot) and that no
 * client sends its first request to; none when clients retry, since a retry
 * goes to the next node in a fixed order. At the defaults (3 nodes, ballots
 * 1 and 2, clients starting at n1 and n2) only n3 is left: nothing to swap.
 */
const interchangeableNodes = (nodes: ReadonlyArray<NodeId>, options: MultiPaxosOptions): ReadonlyArray<NodeId> => {
  if (options.clients > 0 && options.retries > 0) return []
  const firstContacts = new Set(Array.from({ length: options.clients }, (_, i) => nodes[i % nodes.length]))
  return nodes.filter((node, i) => i + 1 > options.maxBallot && !firstContacts.has(node))
}

/** The cluster for one configuration; the options are checked by `multiPaxosSpec`. */
export const multiPaxosSystem = (options: MultiPaxosOptions, bugs: PaxosBugs): MultiPaxosSystem => {
  const nodes = numberedIds("n", options.nodes)
  const config: MultiPaxosConfig = { nodes, bugs }
  const actor = multiPaxosActor(config)
  const symmetric = interchangeableNodes(nodes, options)
  return {
    nodes: nodes.map((id) => ({ id, actor })),
    clients: Array.from({ length: options.clients }, (_, i) => ({
      id: `c${i + 1}`,
      client: kvClient(nodes, i, options.requests, options.retries)
    })),
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    ...(symmetric.length >= 2 ? { symmetric } : {}),
    ghost: multiPaxosHistory,
    properties: multiPaxosProperties(config, { ...options, maxSlot: options.slots }),
    within: (s) => withinBounds(s, options.maxBallot, options.slots) && heartbeatsWithin(s.network),
    formatMessage: formatMultiPaxosMessage,
    formatTimer: formatMultiPaxosTimer,
    formatRequest: formatMultiPaxosRequest,
    formatResponse: formatMultiPaxosResponse,
    view: multiPaxosView
  }
}

export const multiPaxosSpec = defineSpec({
  module: import.meta.url,
  name: "multi-paxos",
  description: "Multi-Paxos: a distinguished leader, phase 1 once for every slot, a replicated key-value log with client requests; " +
    "safe under crash faults, not Byzantine ones",
  options: multiPaxosOptions,
  correct: noBugs,
  variants: paxosVariants({
    "forget-promise": "an acceptor writes only its votes to disk, so after a restart it takes an Accept below a promise it gave; " +
      "needs a crash budget of at least 1",
    "ignore-accepted": "a new leader re-proposes its own acceptor's vote in each slot (a no-op where it has none), " +
      "ignoring the higher-ballot votes its quorum's promises reported"
  }),
  build: (options, bugs) => ({ _tag: "System", system: multiPaxosSystem(options, bugs) })
})
