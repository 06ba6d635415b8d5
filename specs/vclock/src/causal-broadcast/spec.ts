/**
 * `causal-broadcast`: nodes `n1`…`nN` that each broadcast up to a budget of
 * messages (the model's boundary) over an unordered network, where a
 * message can overtake one it depends on.
 */
import { configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole as requireWholeOf } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { causalActor, causalBroadcast, formatBroadcast } from "./node.ts"
import type { CausalBugs, CausalState } from "./node.ts"
import { causalProperties } from "./properties.ts"
import type { CausalSystem } from "./properties.ts"
import { counter, formatClock } from "../vclock.ts"

export const causalVariants = [
  {
    name: "fifo-only",
    description: "deliver a message as soon as it is the next from its origin: FIFO order, so a reply can be delivered before the message it answers"
  },
  {
    name: "own-counter",
    description: "stamp a message with the sender's own counter alone, dropping what it had delivered: clocks call causally ordered messages concurrent"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, CausalBugs>> = {
  [CorrectVariant]: causalBroadcast,
  "fifo-only": { ...causalBroadcast, fifoOnly: true },
  "own-counter": { ...causalBroadcast, ownCounterOnly: true }
}

export interface CausalOptions {
  readonly nodes: number
  /** Messages each node may broadcast. */
  readonly broadcasts: number
  /** Messages the whole cluster may broadcast, 0 for no bound beyond each node's. */
  readonly maxMessages: number
  readonly network: NetworkSemantics
  readonly variant: string
}

const requireWhole = (name: string, value: number, min: number, max: number): void => requireWholeOf("causal-broadcast", name, value, min, max)

const causalView = (s: CausalState): unknown => ({
  delivered: formatClock(s.delivered),
  log: s.log.map(formatBroadcast),
  pending: s.pending.map(formatBroadcast)
})

export const causalSystem = (options: CausalOptions): CausalSystem => {
  requireWhole("nodes", options.nodes, 2, 4)
  requireWhole("broadcasts", options.broadcasts, 1, 3)
  requireWhole("max-messages", options.maxMessages, 0, 12)
  const bugs = variantBugs[options.variant]
  if (bugs === undefined) {
    throw new TypeError(`causal-broadcast has no variant "${options.variant}"; its variants: ${Object.keys(variantBugs).join(", ")}`)
  }
  const actor = causalActor(bugs)
  return {
    nodes: Array.from({ length: options.nodes }, (_, i) => ({ id: `n${i + 1}`, actor })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: 0,
    properties: causalProperties,
    within: (s) => {
      let total = 0
      for (const slot of s.nodes) {
        if (!slot.up) continue
        const own = counter(slot.state.delivered, slot.state.self)
        if (own > options.broadcasts) return false
        total += own
      }
      return options.maxMessages === 0 || total <= options.maxMessages
    },
    formatMessage: formatBroadcast,
    formatTimer: (timer) => timer,
    view: causalView
  }
}


export const causalBroadcastSpec: SpecDefinition = {
  module: import.meta.url,
  name: "causal-broadcast",
  description: "Causal broadcast with vector clocks: deliveries respect happens-before, and clocks compare exactly as the execution orders events",
  options: [
    { kind: "int", name: "nodes", description: "nodes, each broadcasting to all the others", default: 3, min: 2, max: 4 },
    { kind: "int", name: "broadcasts", description: "messages each node may broadcast (the search's boundary)", default: 2, min: 1, max: 3 },
    {
      kind: "int",
      name: "max-messages",
      description: "messages the whole cluster may broadcast (the search's boundary); 0: no bound beyond each node's",
      default: 4,
      min: 0,
      max: 12
    },
    networkOption("unordered")
  ],
  variants: causalVariants,
  build: (config) => {
    const network = configNetwork(config, "causal-broadcast")
    return {
      _tag: "System",
      system: causalSystem({ nodes: configInt(config, "nodes"), broadcasts: configInt(config, "broadcasts"), maxMessages: configInt(config, "max-messages"), network, variant: configString(config, "variant") })
    }
  }
}
