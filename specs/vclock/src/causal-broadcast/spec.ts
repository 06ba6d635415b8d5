/**
 * `causal-broadcast`: nodes `n1`…`nN` that each broadcast up to a budget of
 * messages (the model's boundary) over an unordered network, where a
 * message can overtake one it depends on; with `--sync` and `--lossy`,
 * over a network that loses messages, which the digests make up for.
 */
import { defineSpec, flag, int, lossyFlag, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { oneCopyInFlight } from "../bounds.ts"
import { counter } from "../vclock.ts"
import { causalView, formatCausalMessage } from "./format.ts"
import { causalActor, causalBroadcast } from "./node.ts"
import type { CausalBugs } from "./node.ts"
import { causalProperties } from "./properties.ts"
import type { CausalSystem, CausalSystemState } from "./properties.ts"

const causalOptions = {
  nodes: int("nodes, each broadcasting to all the others", { default: 3, min: 2, max: 4 }),
  broadcasts: int("messages each node may broadcast (the search's boundary)", { default: 2, min: 1, max: 3 }),
  maxMessages: int("messages the whole cluster may broadcast (the search's boundary); 0: no bound beyond each node's", {
    default: 4,
    min: 0,
    max: 12
  }),
  network: networkChoice("unordered"),
  sync: flag("each node sends its peers a digest of what it delivered whenever it likes, and a peer sends back its own messages the digest lacks (as the cluster does)"),
  lossy: lossyFlag
} as const

export type CausalOptions = OptionsOf<typeof causalOptions>

/** Each live node has broadcast at most `broadcasts` messages, and all of them together at most `maxMessages` (0: no such bound). */
const broadcastsWithin = (s: CausalSystemState, options: CausalOptions): boolean => {
  let total = 0
  for (const slot of s.nodes) {
    if (!slot.up) continue
    const own = counter(slot.state.delivered, slot.state.self)
    if (own > options.broadcasts) return false
    total += own
  }
  return options.maxMessages === 0 || total <= options.maxMessages
}

const causalSystem = (options: CausalOptions, bugs: CausalBugs): CausalSystem => {
  const actor = causalActor({ ...bugs, broadcastTimer: true, sync: options.sync })
  return {
    nodes: Array.from({ length: options.nodes }, (_, i) => ({ id: `n${i + 1}`, actor })),
    clients: [],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: 0,
    properties: causalProperties,
    within: options.sync ? (s) => broadcastsWithin(s, options) && oneCopyInFlight(s.network) : (s) => broadcastsWithin(s, options),
    formatMessage: formatCausalMessage,
    formatTimer: (timer) => timer,
    view: causalView
  }
}

export const causalBroadcastSpec = defineSpec({
  module: import.meta.url,
  // Sleep sets take no more CPU time than they save here, at the defaults (npm run bench:por).
  partialOrderByDefault: true,
  name: "causal-broadcast",
  description: "Causal broadcast with vector clocks: deliveries respect happens-before, and clocks compare exactly as the execution orders events",
  options: causalOptions,
  correct: causalBroadcast,
  variants: {
    "fifo-only": {
      description: "deliver a message as soon as it is the next from its origin: FIFO order, so a reply can be delivered " +
        "before the message it answers",
      bugs: { fifoOnly: true }
    },
    "own-counter": {
      description: "stamp a message with the sender's own counter alone, dropping what it had delivered: " +
        "clocks call causally ordered messages concurrent",
      bugs: { ownCounterOnly: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: causalSystem(options, bugs) })
})
