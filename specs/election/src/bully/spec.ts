/**
 * `bully`: the Bully algorithm on nodes `n1`…`nN` (`nN` outranks the rest),
 * every node holding an election as it starts. Any node may crash and
 * restart within the crash budget. `--timing sync` (the default) is the
 * synchronous system Bully assumes; `--timing async` lets timeouts fire
 * while messages are still in flight, and the checker finds two leaders.
 */
import { bugsOf, configInt, configNetwork, configString, CorrectVariant, networkOption, requireWhole } from "@parley/core"
import type { NetworkSemantics, SpecDefinition, SpecVariant } from "@parley/core"
import { nodeIds, oneCopyInFlight } from "../bounds.ts"
import { bullyView, formatBullyMessage, formatBullyTimer } from "./format.ts"
import { bullyAsPublished, bullyNode } from "./node.ts"
import type { BullyBugs } from "./node.ts"
import { bullyProperties } from "./properties.ts"
import type { BullySystem } from "./properties.ts"
import { BullyTimings, synchronous } from "./timing.ts"
import type { BullyTiming } from "./timing.ts"

export const bullyVariants = [
  {
    name: "ignore-answer",
    description: "an Answer does not stop the answer-timeout, so a node a higher one answered still elects itself"
  },
  {
    name: "silent-restart",
    description: "a restarted node holds no election and follows nobody, so it never takes over; needs a crash budget of at least 1"
  }
] as const satisfies ReadonlyArray<SpecVariant>

const variantBugs: Readonly<Record<string, BullyBugs>> = {
  [CorrectVariant]: bullyAsPublished,
  "ignore-answer": { ...bullyAsPublished, ignoreAnswer: true },
  "silent-restart": { ...bullyAsPublished, silentRestart: true }
}

export interface BullyOptions {
  readonly nodes: number
  readonly crashes: number
  readonly timing: BullyTiming
  readonly network: NetworkSemantics
  readonly variant: string
}

export const bullySystem = (options: BullyOptions): BullySystem => {
  requireWhole("bully", "nodes", options.nodes, 2, 4)
  requireWhole("bully", "crashes", options.crashes, 0, 3)
  const bugs = bugsOf("bully", variantBugs, options.variant)
  const ids = nodeIds(options.nodes)
  const actor = bullyNode(bugs, ids)
  return {
    nodes: ids.map((id) => ({ id, actor })),
    clients: [],
    network: options.network,
    lossy: false,
    maxCrashes: options.crashes,
    properties: bullyProperties(ids, options.crashes),
    within: (s) => oneCopyInFlight(s.network) && (options.timing === "async" || synchronous(s, ids)),
    formatMessage: formatBullyMessage,
    formatTimer: formatBullyTimer,
    view: bullyView
  }
}

const timingOf = (value: string): BullyTiming => {
  const timing = BullyTimings.find((t) => t === value)
  if (timing === undefined) throw new TypeError(`bully has no timing "${value}"; the timings: ${BullyTimings.join(", ")}`)
  return timing
}

export const bullySpec: SpecDefinition = {
  module: import.meta.url,
  name: "bully",
  description: "The Bully election: the highest live node wins; Election, Answer and Coordinator messages, timeouts as timers, " +
    "nodes that crash and restart; a unique leader only when timing is synchronous",
  options: [
    { kind: "int", name: "nodes", description: "nodes n1…nN; nN outranks the rest", default: 3, min: 2, max: 4 },
    { kind: "int", name: "crashes", description: "crash budget: crashes of any node in one behaviour", default: 1, min: 0, max: 3 },
    {
      kind: "choice",
      name: "timing",
      description: "sync: timeouts outlast every message in flight (Bully's assumption); async: a timeout may fire while its answer is on the way",
      default: "sync",
      choices: BullyTimings
    },
    networkOption("unordered")
  ],
  variants: bullyVariants,
  build: (config) => ({
    _tag: "System",
    system: bullySystem({
      nodes: configInt(config, "nodes"),
      crashes: configInt(config, "crashes"),
      timing: timingOf(configString(config, "timing")),
      network: configNetwork(config, "bully"),
      variant: configString(config, "variant")
    })
  })
}
