/**
 * `bully`: the Bully algorithm on nodes `n1`…`nN` (`nN` outranks the rest),
 * every node holding an election as it starts. Any node may crash and
 * restart within the crash budget. `--timing sync` (the default) is the
 * synchronous system Bully assumes; `--timing async` lets timeouts fire
 * while messages are still in flight, and the checker finds two leaders.
 */
import { choice, defineSpec, flag, int, networkChoice } from "@parley/core"
import type { OptionsOf } from "@parley/core"
import { oneCopyInFlight } from "../bounds.ts"
import { electionSystem, nodeIds, timerName } from "../cluster.ts"
import { bullyView, formatBullyMessage } from "./format.ts"
import { bullyAsPublished, bullyNode } from "./node.ts"
import type { BullyBugs } from "./node.ts"
import { bullyProperties } from "./properties.ts"
import type { BullySystem } from "./properties.ts"
import { BullyTimings, synchronous } from "./timing.ts"

const bullyOptions = {
  nodes: int("nodes n1…nN; nN outranks the rest", { default: 3, min: 2, max: 4 }),
  crashes: int("crash budget: crashes of any node in one behaviour", { default: 1, min: 0, max: 3 }),
  timing: choice(
    "sync: timeouts outlast every message in flight (Bully's assumption); async: a timeout may fire while its answer is on the way",
    BullyTimings,
    "sync"
  ),
  heartbeats: flag("the leader resends Coordinator on a timer and followers suspect it only when that stops, as the cluster runs"),
  network: networkChoice("unordered")
} as const

export type BullyOptions = OptionsOf<typeof bullyOptions>

const bullySystem = (options: BullyOptions, bugs: BullyBugs): BullySystem => {
  const ids = nodeIds(options.nodes)
  return electionSystem({
    ids,
    actor: bullyNode(bugs, ids, { heartbeats: options.heartbeats }),
    network: options.network,
    maxCrashes: options.crashes,
    properties: bullyProperties(ids, options.crashes),
    within: (s) => oneCopyInFlight(s.network) && (options.timing === "async" || synchronous(s, ids)),
    formatMessage: formatBullyMessage,
    formatTimer: timerName,
    view: bullyView
  })
}

export const bullySpec = defineSpec({
  module: import.meta.url,
  name: "bully",
  description: "The Bully election: the highest live node wins; Election, Answer and Coordinator messages, timeouts as timers, " +
    "nodes that crash and restart; a unique leader only when timing is synchronous",
  options: bullyOptions,
  correct: bullyAsPublished,
  variants: {
    "ignore-answer": {
      description: "an Answer does not stop the answer-timeout, so a node a higher one answered still elects itself",
      bugs: { ignoreAnswer: true }
    },
    "silent-restart": {
      description: "a restarted node holds no election and follows nobody, so it never takes over; needs a crash budget of at least 1",
      bugs: { silentRestart: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: bullySystem(options, bugs) })
})
