/**
 * `zk`: ZooKeeper-style leader election with one coordination service `zk`
 * (an ensemble behaves as one linearizable server to the recipe) and nodes
 * `n1`…`nN`. Any node's session may expire at any moment, within a budget:
 * the model's boundary, not the reducer's. The network is FIFO per link by
 * default, as a ZooKeeper session delivers replies and watch events in order.
 */
import { defineSpec, flag, int, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { oneCopyInFlight } from "../bounds.ts"
import { electionSystem, nodeIds } from "../cluster.ts"
import { formatZkMessage, formatZkTimer, zkView } from "./format.ts"
import { zkActor, zkRecipe } from "./node.ts"
import type { ZkBugs } from "./node.ts"
import { zkProperties, zkService } from "./properties.ts"
import type { ZkSystem } from "./properties.ts"
import { ZkService } from "./service.ts"

const zkOptions = {
  nodes: int("election nodes n1…nN, beside the service zk", { default: 3, min: 1, max: 4 }),
  expiries: int("session expiries in one behaviour (the search's boundary)", { default: 1, min: 0, max: 3 }),
  crashes: int("process crashes, the service's or a node's, in one behaviour; each restarts from what it made durable", { default: 0, min: 0, max: 2 }),
  keepalive: flag("nodes ping the service and each ping puts off the session's expiry, as the cluster runs"),
  network: networkChoice("ordered")
} as const

export type ZkElectionOptions = OptionsOf<typeof zkOptions>

const zkElectionSystem = (options: ZkElectionOptions, bugs: ZkBugs): ZkSystem => {
  const nodes = nodeIds(options.nodes)
  const ids = [ZkService, ...nodes]
  return electionSystem({
    ids,
    actor: zkActor(bugs, nodes, { keepAlive: options.keepalive }),
    network: options.network,
    // By default no process crashes: a node's failure is its session's expiry, which the service's timer models.
    maxCrashes: options.crashes,
    properties: zkProperties(ids, options.expiries),
    // Pings repeat without end: one of each in flight at a time keeps the search finite.
    within: (s) => (zkService(s)?.expiries ?? 0) <= options.expiries && (!options.keepalive || oneCopyInFlight(s.network)),
    formatMessage: formatZkMessage,
    formatTimer: formatZkTimer,
    view: zkView
  })
}

export const zkElectionSpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "zk",
  description: "ZooKeeper-style leader election: ephemeral sequential znodes, the lowest leads, each node watches only its predecessor, " +
    "and session expiry deletes a node's znode",
  options: zkOptions,
  correct: zkRecipe,
  variants: {
    "assume-lowest": {
      description: "a node woken by its predecessor's deletion leads without listing the children again; " +
        "when the predecessor was a follower whose session expired, two live nodes lead",
      bugs: { assumeLowest: true }
    },
    "watch-leader": {
      description: "every node watches the leader's znode instead of its predecessor's, so the leader's going wakes them all (the herd effect)",
      bugs: { watchLeader: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: zkElectionSystem(options, bugs) })
})
