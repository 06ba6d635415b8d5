/**
 * `ring`: Chang and Roberts's election on the ring `n1 → n2 → … → nN → n1`,
 * every node standing as it starts. Nodes crash and stay down (crash-stop),
 * within the crash budget; the failure detector is perfect: a node skips
 * its successor only once that successor has crashed. Both are the model's
 * boundary (`within`), not the reducer's.
 */
import { bugsOf, configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { nodeIds, oneCopyInFlight } from "../bounds.ts"
import { formatRingMessage, formatRingTimer, ringView } from "./format.ts"
import { ringAsPublished, ringNode } from "./node.ts"
import type { RingBugs } from "./node.ts"
import { liveRing, ringProperties } from "./properties.ts"
import type { RingSystem, RingSystemState } from "./properties.ts"

export const ringVariants = [
  {
    name: "forward-smaller",
    description: "a node already taking part forwards a lower candidate instead of swallowing it, so that candidate comes home and wins too"
  },
  {
    name: "same-epoch",
    description: "a node that finds the leader crashed elects again in the same epoch, so the epoch names two leaders; needs a crash budget of at least 1"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, RingBugs>> = {
  [CorrectVariant]: ringAsPublished,
  "forward-smaller": { ...ringAsPublished, forwardSmaller: true },
  "same-epoch": { ...ringAsPublished, sameEpoch: true }
}

export interface RingOptions {
  readonly nodes: number
  readonly crashes: number
  readonly network: NetworkSemantics
  readonly variant: string
}

/** Crash-stop: every crash so far has left its node down. A perfect detector: no live node skips a live successor. */
const ringBoundary = (s: RingSystemState, ids: ReadonlyArray<string>): boolean =>
  s.nodes.filter((slot) => !slot.up).length === s.crashes &&
  liveRing(s).every((n) => n.skipped.every((skipped) => s.nodes[ids.indexOf(skipped)]?.up === false)) &&
  oneCopyInFlight(s.network)

export const ringSystem = (options: RingOptions): RingSystem => {
  requireWhole("ring", "nodes", options.nodes, 2, 5)
  requireWhole("ring", "crashes", options.crashes, 0, 2)
  const bugs = bugsOf("ring", variantBugs, options.variant)
  const ids = nodeIds(options.nodes)
  const actor = ringNode(bugs, ids)
  return {
    nodes: ids.map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: options.crashes,
    properties: ringProperties(ids, options.crashes),
    within: (s) => ringBoundary(s, ids),
    formatMessage: formatRingMessage,
    formatTimer: formatRingTimer,
    view: ringView
  }
}

export const ringSpec: SpecDefinition = {
  module: import.meta.url,
  name: "ring",
  description: "Chang and Roberts's election on a unidirectional ring, with epochs, a perfect failure detector and ring repair: " +
    "a node skips a crashed successor",
  options: [
    { kind: "int", name: "nodes", description: "nodes on the ring n1 → n2 → … → nN → n1", default: 4, min: 2, max: 5 },
    { kind: "int", name: "crashes", description: "crash budget: nodes that crash and stay down", default: 2, min: 0, max: 2 },
    networkOption("ordered")
  ],
  variants: ringVariants,
  build: (config) => ({
    _tag: "System",
    system: ringSystem({
      nodes: configInt(config, "nodes"),
      crashes: configInt(config, "crashes"),
      network: configNetwork(config, "ring"),
      variant: configString(config, "variant")
    })
  })
}
