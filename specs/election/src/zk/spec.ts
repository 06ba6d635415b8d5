/**
 * `zk`: ZooKeeper-style leader election with one coordination service `zk`
 * (an ensemble behaves as one linearizable server to the recipe) and nodes
 * `n1`…`nN`. Any node's session may expire at any moment, within a budget:
 * the model's boundary, not the reducer's. The network is FIFO per link by
 * default, as a ZooKeeper session delivers replies and watch events in order.
 */
import { bugsOf, configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { nodeIds } from "../bounds.ts"
import { formatZkMessage, formatZkTimer, zkView } from "./format.ts"
import { zkActor, zkRecipe } from "./node.ts"
import type { ZkBugs } from "./node.ts"
import { zkProperties, zkService } from "./properties.ts"
import type { ZkSystem } from "./properties.ts"
import { ZkService } from "./server.ts"

export const zkVariants = [
  {
    name: "assume-lowest",
    description: "a node woken by its predecessor's deletion leads without listing the children again; " +
      "when the predecessor was a follower whose session expired, two live nodes lead"
  },
  {
    name: "watch-leader",
    description: "every node watches the leader's znode instead of its predecessor's, so the leader's going wakes them all (the herd effect)"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, ZkBugs>> = {
  [CorrectVariant]: zkRecipe,
  "assume-lowest": { ...zkRecipe, assumeLowest: true },
  "watch-leader": { ...zkRecipe, watchLeader: true }
}

export interface ZkElectionOptions {
  readonly nodes: number
  /** Session expiries in one behaviour. */
  readonly expiries: number
  readonly network: NetworkSemantics
  readonly variant: string
}

export const zkElectionSystem = (options: ZkElectionOptions): ZkSystem => {
  requireWhole("zk", "nodes", options.nodes, 1, 4)
  requireWhole("zk", "expiries", options.expiries, 0, 3)
  const bugs = bugsOf("zk", variantBugs, options.variant)
  const nodes = nodeIds(options.nodes)
  const ids = [ZkService, ...nodes]
  const actor = zkActor(bugs, nodes)
  return {
    nodes: ids.map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: 0,
    properties: zkProperties(ids, options.expiries),
    within: (s) => (zkService(s)?.expiries ?? 0) <= options.expiries,
    formatMessage: formatZkMessage,
    formatTimer: formatZkTimer,
    view: zkView
  }
}

export const zkElectionSpec: SpecDefinition = {
  module: import.meta.url,
  name: "zk",
  description: "ZooKeeper-style leader election: ephemeral sequential znodes, the lowest leads, each node watches only its predecessor, " +
    "and session expiry deletes a node's znode",
  options: [
    { kind: "int", name: "nodes", description: "election nodes n1…nN, beside the service zk", default: 3, min: 1, max: 4 },
    { kind: "int", name: "expiries", description: "session expiries in one behaviour (the search's boundary)", default: 1, min: 0, max: 3 },
    networkOption("ordered")
  ],
  variants: zkVariants,
  build: (config) => ({
    _tag: "System",
    system: zkElectionSystem({
      nodes: configInt(config, "nodes"),
      expiries: configInt(config, "expiries"),
      network: configNetwork(config, "zk"),
      variant: configString(config, "variant")
    })
  })
}
