/**
 * `ring`: Chang and Roberts's election on the ring `n1 → n2 → … → nN → n1`,
 * every node standing as it starts. Nodes crash and stay down (crash-stop),
 * within the crash budget; the failure detector is perfect: a node skips
 * its successor only once that successor has crashed. Both are the model's
 * boundary (`within`), not the reducer's.
 */
import { defineSpec, flag, int, networkChoice } from "@parley/core"
import type { NodeId, OptionsOf } from "@parley/core"
import { oneCopyInFlight } from "../bounds.ts"
import { electionSystem, nodeIds, timerName } from "../cluster.ts"
import { formatRingMessage, ringView } from "./format.ts"
import { ringAsPublished, ringNode } from "./node.ts"
import type { RingBugs } from "./node.ts"
import { liveRing, ringProperties } from "./properties.ts"
import type { RingSystem, RingSystemState } from "./properties.ts"

const ringOptions = {
  nodes: int("nodes on the ring n1 → n2 → … → nN → n1", { default: 4, min: 2, max: 5 }),
  crashes: int("crash budget: nodes that crash and stay down", { default: 2, min: 0, max: 2 }),
  probes: flag("a node Pings its successor, skips it only when a Ping goes unanswered, and passes its last message on again, as the cluster runs"),
  network: networkChoice("ordered")
} as const

export type RingOptions = OptionsOf<typeof ringOptions>

/** Crash-stop: every crash so far has left its node down. A perfect detector: no live node skips a live successor. */
const ringBoundary = (s: RingSystemState, ids: ReadonlyArray<NodeId>): boolean =>
  s.nodes.filter((slot) => !slot.up).length === s.crashes &&
  liveRing(s).every((n) => n.skipped.every((skipped) => s.nodes[ids.indexOf(skipped)]?.up === false)) &&
  oneCopyInFlight(s.network)

const ringSystem = (options: RingOptions, bugs: RingBugs): RingSystem => {
  const ids = nodeIds(options.nodes)
  return electionSystem({
    ids,
    actor: ringNode(bugs, ids, { probes: options.probes }),
    network: options.network,
    maxCrashes: options.crashes,
    properties: ringProperties(ids, options.crashes),
    within: (s) => ringBoundary(s, ids),
    formatMessage: formatRingMessage,
    formatTimer: timerName,
    view: ringView
  })
}

export const ringSpec = defineSpec({
  module: import.meta.url,
  name: "ring",
  description: "Chang and Roberts's election on a unidirectional ring, with epochs, a perfect failure detector and ring repair: " +
    "a node skips a crashed successor",
  options: ringOptions,
  correct: ringAsPublished,
  variants: {
    "forward-smaller": {
      description: "a node already taking part forwards a lower candidate instead of swallowing it, so that candidate comes home and wins too",
      bugs: { forwardSmaller: true }
    },
    "same-epoch": {
      description: "a node that finds the leader crashed elects again in the same epoch, so the epoch names two leaders; " +
        "needs a crash budget of at least 1",
      bugs: { sameEpoch: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: ringSystem(options, bugs) })
})
