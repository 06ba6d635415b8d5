/**
 * `2pc`: two-phase commit with presumed abort, as actors over a network — a
 * coordinator, participants `p1`…`pN` and one client that asks for one
 * transaction. Where TwoPhase.tla abstracts the network into a set of
 * messages that are never lost, this spec runs the protocol the way a
 * database does: messages may be reordered, duplicated or lost as the
 * network semantics say, and nodes crash and recover from their logs.
 *
 * The protocol is in coordinator.ts and participant.ts, the messages and
 * their Schemas in messages.ts, the properties in properties.ts.
 */
import { defineSpec, int, lossyFlag, networkChoice } from "@parley/core"
import type { NodeId, OptionsOf } from "@parley/core"
import { twoPcClient } from "./client.ts"
import { COORDINATOR, twoPcCorrect } from "./coordinator.ts"
import type { TwoPcBugs } from "./coordinator.ts"
import { formatTwoPcMessage, formatTwoPcRequest, formatTwoPcResponse, formatTwoPcTimer, twoPcView } from "./format.ts"
import { twoPcActor } from "./node.ts"
import { twoPcProperties, twoPcTerminal } from "./properties.ts"
import type { TwoPhaseCommitSystem } from "./properties.ts"

const twoPcOptions = {
  participants: int("number of participants (resource managers)", { default: 3, min: 1, max: 6 }),
  crashes: int("crash budget: crashes of any nodes in one behaviour", { default: 1, min: 0, max: 3 }),
  network: networkChoice("unordered"),
  lossy: lossyFlag
} as const

export type TwoPhaseCommitOptions = OptionsOf<typeof twoPcOptions>

/** The participants' ids for a count: `p1` … `pN`. */
export const participantIds = (count: number): ReadonlyArray<NodeId> =>
  Array.from({ length: count }, (_, i) => `p${i + 1}`)

/** The cluster for one configuration; the options are checked by `twoPhaseCommitSpec`. */
export const twoPhaseCommitSystem = (options: TwoPhaseCommitOptions, bugs: TwoPcBugs = twoPcCorrect): TwoPhaseCommitSystem => {
  const participants = participantIds(options.participants)
  const actor = twoPcActor({ participants, ...bugs })
  return {
    nodes: [COORDINATOR, ...participants].map((id) => ({ id, actor })),
    clients: [{ id: "client", client: twoPcClient }],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    // Participants differ only in their ids: the coordinator treats them alike and no property names one.
    symmetric: participants,
    properties: twoPcProperties(options.crashes),
    terminal: twoPcTerminal,
    formatMessage: formatTwoPcMessage,
    formatTimer: formatTwoPcTimer,
    formatRequest: formatTwoPcRequest,
    formatResponse: formatTwoPcResponse,
    view: twoPcView
  }
}

export const twoPhaseCommitSpec = defineSpec({
  module: import.meta.url,
  name: "2pc",
  description: "Two-phase commit with presumed abort as actors: a coordinator that logs its decision before " +
    "sending it, participants that vote, crash and recover, and the blocking of a prepared participant while " +
    "the coordinator is down (which 3PC and Paxos Commit remove)",
  options: twoPcOptions,
  correct: twoPcCorrect,
  variants: {
    "no-durable-decision": {
      description: "the coordinator sends its decision before the log write completes (a FlushLog timer ends it); " +
        "crashing in between, it recovers with no decision, presumes abort and contradicts a participant that committed",
      bugs: { lazyLog: true }
    }
  },
  build: (options, bugs) => ({ _tag: "System", system: twoPhaseCommitSystem(options, bugs) })
})
