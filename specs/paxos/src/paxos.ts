/**
 * `paxos`: single-decree Paxos as a cluster of proposers `p1`…`pP` (each
 * proposing its own value `v1`…`vP`), acceptors `a1`…`aA` and learners
 * `l1`…`lL`. The bounds (ballots per proposer, the crash budget) are the
 * model's boundary, not the reducer's: the reducer is the one a runtime
 * would host. Acceptors are the nodes that crash, because they are the ones
 * whose durable state Paxos depends on.
 */
import { bugsOf, configFlag, configInt, configNetwork, configString, lossyOption, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { numberedIds, paxosVariantBugs } from "./config.ts"
import type { PaxosConfig } from "./config.ts"
import { formatPaxosMessage, formatPaxosTimer, paxosView } from "./format.ts"
import { paxosActor } from "./node.ts"
import { paxosProperties } from "./properties.ts"
import type { PaxosSystem, PaxosSystemState } from "./properties.ts"

export const paxosVariants = [
  {
    name: "forget-promise",
    description: "an acceptor writes only its vote to disk, so after a restart it honours an Accept below a promise it gave; " +
      "needs a crash budget of at least 1"
  },
  {
    name: "ignore-accepted",
    description: "a proposer with a quorum of promises proposes its own value, ignoring the highest vote the promises reported"
  }
] as const satisfies ReadonlyArray<SpecVariant>

export interface PaxosOptions {
  readonly proposers: number
  readonly acceptors: number
  readonly learners: number
  /** Ballots each proposer may start: the boundary that makes the search finite. */
  readonly ballots: number
  /** Crashes of acceptors in one behaviour; each crashed acceptor may restart. */
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("paxos", name, value, min, max)

/** Every ballot a proposer started, live or durable, is within its first `ballots` rounds. */
const ballotsWithin = (s: PaxosSystemState, maxBallot: number): boolean =>
  s.nodes.every((slot) => slot.up ? slot.state.role !== "proposer" || slot.state.ballot <= maxBallot : slot.durable._tag !== "Proposer" || slot.durable.ballot <= maxBallot)

export const paxosConfig = (options: PaxosOptions): PaxosConfig => {
  const bugs = bugsOf("paxos", paxosVariantBugs, options.variant)
  const proposers = numberedIds("p", options.proposers)
  return {
    proposers,
    acceptors: numberedIds("a", options.acceptors),
    learners: numberedIds("l", options.learners),
    inputs: Object.fromEntries(proposers.map((p, i) => [p, `v${i + 1}`])),
    bugs
  }
}

export const paxosSystem = (options: PaxosOptions): PaxosSystem => {
  requireWhole("proposers", options.proposers, 1, 3)
  requireWhole("acceptors", options.acceptors, 1, 5)
  requireWhole("learners", options.learners, 1, 2)
  requireWhole("ballots", options.ballots, 1, 3)
  requireWhole("crashes", options.crashes, 0, 3)
  const config = paxosConfig(options)
  const actor = paxosActor(config)
  const maxBallot = options.ballots * config.proposers.length
  return {
    nodes: [...config.proposers, ...config.acceptors, ...config.learners].map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    crashable: config.acceptors,
    properties: paxosProperties(config, options.crashes),
    within: (s) => ballotsWithin(s, maxBallot),
    formatMessage: formatPaxosMessage,
    formatTimer: formatPaxosTimer,
    view: paxosView
  }
}


export const paxosSpec: SpecDefinition = {
  module: import.meta.url,
  name: "paxos",
  description: "Single-decree Paxos: proposers, acceptors with durable promises and votes, learners; " +
    "safe under crash faults, not Byzantine ones",
  options: [
    { kind: "int", name: "proposers", description: "proposers, p1 proposing v1, p2 v2, …", default: 2, min: 1, max: 3 },
    { kind: "int", name: "acceptors", description: "acceptors; a quorum is a majority of them", default: 3, min: 1, max: 5 },
    { kind: "int", name: "learners", description: "learners, told of every vote", default: 1, min: 1, max: 2 },
    { kind: "int", name: "ballots", description: "ballots each proposer may start (the search's boundary)", default: 1, min: 1, max: 3 },
    { kind: "int", name: "crashes", description: "crash budget: crashes of acceptors in one behaviour", default: 1, min: 0, max: 3 },
    networkOption("unordered"),
    lossyOption
  ],
  variants: paxosVariants,
  build: (config) => {
    const network = configNetwork(config, "paxos")
    return {
      _tag: "System",
      system: paxosSystem({
        proposers: configInt(config, "proposers"),
        acceptors: configInt(config, "acceptors"),
        learners: configInt(config, "learners"),
        ballots: configInt(config, "ballots"),
        crashes: configInt(config, "crashes"),
        network,
        lossy: configFlag(config, "lossy"),
        variant: configString(config, "variant")
      })
    }
  }
}
