/**
 * `zk-lock`: the ZooKeeper lock recipe with one server `zk` (an ensemble
 * behaves as one linearizable server to the recipe) and clients `c1`…`cN`
 * that each take the lock once. Any client's session may expire at any
 * moment, within a budget: the model's boundary, not the reducer's.
 */
import { configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { ZkServer, zkRecipe } from "./client.ts"
import type { ZkBugs } from "./client.ts"
import { formatZkMessage, formatZkTimer, zkView } from "./format.ts"
import { zkActor } from "./node.ts"
import { zkProperties, zkServerOf } from "./properties.ts"
import type { ZkSystem } from "./properties.ts"

export const zkLockVariants = [
  {
    name: "assume-lowest",
    description: "a waiter woken by its predecessor's deletion takes the lock without listing the children again; " +
      "when the predecessor was a waiter whose session expired, two live clients hold the lock"
  },
  {
    name: "herd",
    description: "waiters watch the lock's parent instead of their predecessor, so every change wakes every waiter (the herd effect)"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, ZkBugs>> = {
  [CorrectVariant]: zkRecipe,
  "assume-lowest": { ...zkRecipe, assumeLowest: true },
  herd: { ...zkRecipe, herd: true }
}

export interface ZkLockOptions {
  readonly clients: number
  /** Session expiries in one behaviour. */
  readonly expiries: number
  readonly network: NetworkSemantics
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("zk-lock", name, value, min, max)

export const zkLockSystem = (options: ZkLockOptions): ZkSystem => {
  requireWhole("clients", options.clients, 1, 4)
  requireWhole("expiries", options.expiries, 0, 3)
  const bugs = variantBugs[options.variant]
  if (bugs === undefined) {
    throw new TypeError(`zk-lock has no variant "${options.variant}"; its variants: ${Object.keys(variantBugs).join(", ")}`)
  }
  const clients = Array.from({ length: options.clients }, (_, i) => `c${i + 1}`)
  const ids = [ZkServer, ...clients]
  return {
    nodes: ids.map((id) => ({ id, actor: zkActor(bugs, clients) })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: 0,
    properties: zkProperties(ids, options.clients, options.expiries),
    within: (s) => (zkServerOf(s)?.expired.length ?? 0) <= options.expiries,
    formatMessage: formatZkMessage,
    formatTimer: formatZkTimer,
    view: zkView
  }
}


export const zkLockSpec: SpecDefinition = {
  module: import.meta.url,
  name: "zk-lock",
  description: "The ZooKeeper lock recipe: ephemeral sequential nodes, the lowest holds, each waiter watches only its predecessor, " +
    "and session expiry deletes a client's node",
  options: [
    { kind: "int", name: "clients", description: "clients, each taking the lock once", default: 3, min: 1, max: 4 },
    { kind: "int", name: "expiries", description: "session expiries in one behaviour (the search's boundary)", default: 1, min: 0, max: 3 },
    networkOption("ordered")
  ],
  variants: zkLockVariants,
  build: (config) => {
    const network = configNetwork(config, "zk-lock")
    return {
      _tag: "System",
      system: zkLockSystem({ clients: configInt(config, "clients"), expiries: configInt(config, "expiries"), network, variant: configString(config, "variant") })
    }
  }
}
