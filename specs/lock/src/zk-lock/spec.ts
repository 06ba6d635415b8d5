/**
 * `zk-lock`: the ZooKeeper lock recipe with one server `zk` (an ensemble
 * behaves as one linearizable server to the recipe) and clients `c1`…`cN`
 * that each take the lock once. Any client's session may expire at any
 * moment, within a budget: the model's boundary, not the reducer's.
 */
import { defineSpec, int, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { clientIds, noFaults } from "../cluster.ts"
import { ZkServer, zkRecipe } from "./client.ts"
import type { ZkBugs } from "./client.ts"
import { formatZkMessage, formatZkTimer, zkView } from "./format.ts"
import { zkActor } from "./node.ts"
import { zkProperties, zkServerOf } from "./properties.ts"
import type { ZkSystem } from "./properties.ts"

const zkLockOptions = {
  clients: int("clients, each taking the lock once", { default: 3, min: 1, max: 4 }),
  expiries: int("session expiries in one behaviour (the search's boundary)", { default: 1, min: 0, max: 3 }),
  network: networkChoice("ordered")
} as const

export type ZkLockOptions = OptionsOf<typeof zkLockOptions>

/** The cluster for one configuration; the options are checked by `zkLockSpec`. */
export const zkLockSystem = (options: ZkLockOptions, bugs: ZkBugs): ZkSystem => {
  const clients = clientIds(options.clients)
  const ids = [ZkServer, ...clients]
  const actor = zkActor({ bugs, clients, sessionTimeoutMs: 0, resource: false })
  return {
    ...noFaults,
    nodes: ids.map((id) => ({ id, actor })),
    network: options.network,
    properties: zkProperties(ids, options.clients, options.expiries),
    within: (s) => (zkServerOf(s)?.expired.length ?? 0) <= options.expiries,
    formatMessage: formatZkMessage,
    formatTimer: formatZkTimer,
    view: zkView
  }
}

export const zkLockSpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "zk-lock",
  description: "The ZooKeeper lock recipe: ephemeral sequential nodes, the lowest holds, each waiter watches only its predecessor, " +
    "and session expiry deletes a client's node",
  options: zkLockOptions,
  correct: zkRecipe,
  variants: {
    "assume-lowest": {
      description: "a waiter woken by its predecessor's deletion takes the lock without listing the children again; " +
        "when the predecessor was a waiter whose session expired, two live clients hold the lock",
      bugs: { assumeLowest: true }
    },
    herd: {
      description: "waiters watch the lock's parent instead of their predecessor, so every change wakes every waiter (the herd effect)",
      bugs: { herd: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: zkLockSystem(options, bugs) })
})
