/**
 * `paxos`: single-decree Paxos as a cluster of proposers `p1`…`pP` (each
 * proposing its own value `v1`…`vP`), acceptors `a1`…`aA` and learners
 * `l1`…`lL`. The bounds (ballots per proposer, the crash budget) are the
 * model's boundary, not the reducer's: the reducer is the one a runtime
 * would host. Acceptors are the nodes that crash, because they are the ones
 * whose durable state Paxos depends on. They are interchangeable, for
 * `--symmetry`; proposers are not (each owns its ballots and its value).
 */
import { defineSpec, int } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { noBugs, paxosVariants } from "../bugs.ts"
import type { PaxosBugs } from "../bugs.ts"
import { faultOptions, numberedIds } from "../options.ts"
import type { PaxosConfig } from "./config.ts"
import { formatPaxosMessage, formatPaxosTimer, paxosView } from "./format.ts"
import { paxosActor } from "./node.ts"
import { paxosProperties } from "./properties.ts"
import type { PaxosSystem, PaxosSystemState } from "./properties.ts"

const paxosOptions = {
  proposers: int("proposers, p1 proposing v1, p2 v2, …", { default: 2, min: 1, max: 3 }),
  acceptors: int("acceptors; a quorum is a majority of them", { default: 3, min: 1, max: 5 }),
  learners: int("learners, told of every vote", { default: 1, min: 1, max: 2 }),
  ballots: int("ballots each proposer may start (the search's boundary)", { default: 1, min: 1, max: 3 }),
  ...faultOptions("acceptors")
} as const

export type PaxosOptions = OptionsOf<typeof paxosOptions>

/** Every ballot a proposer started, live or durable, is within its first `ballots` rounds. */
const ballotsWithin = (s: PaxosSystemState, maxBallot: number): boolean =>
  s.nodes.every((slot) => slot.up ? slot.state.role !== "proposer" || slot.state.ballot <= maxBallot : slot.durable._tag !== "Proposer" || slot.durable.ballot <= maxBallot)

const paxosConfig = (options: PaxosOptions, bugs: PaxosBugs): PaxosConfig => {
  const proposers = numberedIds("p", options.proposers)
  return {
    proposers,
    acceptors: numberedIds("a", options.acceptors),
    learners: numberedIds("l", options.learners),
    inputs: Object.fromEntries(proposers.map((p, i) => [p, `v${i + 1}`])),
    bugs
  }
}

/** The cluster for one configuration; the options are checked by `paxosSpec`. */
export const paxosSystem = (options: PaxosOptions, bugs: PaxosBugs): PaxosSystem => {
  const config = paxosConfig(options, bugs)
  const actor = paxosActor(config)
  const maxBallot = options.ballots * config.proposers.length
  return {
    nodes: [...config.proposers, ...config.acceptors, ...config.learners].map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    crashable: config.acceptors,
    // Acceptors are interchangeable: each gets every Prepare and Accept, may crash, and is counted only in quorums.
    ...(config.acceptors.length >= 2 ? { symmetric: config.acceptors } : {}),
    properties: paxosProperties(config, options.crashes),
    within: (s) => ballotsWithin(s, maxBallot),
    formatMessage: formatPaxosMessage,
    formatTimer: formatPaxosTimer,
    view: paxosView
  }
}

export const paxosSpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "paxos",
  description: "Single-decree Paxos: proposers, acceptors with durable promises and votes, learners; " +
    "safe under crash faults, not Byzantine ones",
  options: paxosOptions,
  correct: noBugs,
  variants: paxosVariants({
    "forget-promise": "an acceptor writes only its vote to disk, so after a restart it honours an Accept below a promise it gave; " +
      "needs a crash budget of at least 1",
    "ignore-accepted": "a proposer with a quorum of promises proposes its own value, ignoring the highest vote the promises reported"
  }),
  build: (options, bugs) => ({ _tag: "System", system: paxosSystem(options, bugs) })
})
