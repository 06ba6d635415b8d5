/**
 * `2pc`: two-phase commit with presumed abort, as actors over a network — a
 * coordinator, participants `p1`…`pN` that each own the keys a hash gives
 * them, and clients that each ask for one transaction (two that want the
 * same key meet a lock). The same reducer runs as a real cluster
 * (hosting.ts). Where TwoPhase.tla abstracts the network into a set of
 * messages that are never lost, this spec runs the protocol the way a
 * database does: messages may be reordered, duplicated or lost as the
 * network semantics say, and nodes crash and recover from their logs.
 *
 * The protocol is in coordinator.ts and participant.ts, the messages and
 * their Schemas in messages.ts, the properties in properties.ts.
 */
import { defineSpec, flag, int, lossyFlag, networkChoice } from "@parley/core"
import type { NodeId, OptionsOf } from "@parley/core"
import { clientWrites, twoPcClient } from "./client.ts"
import { COORDINATOR, twoPcCorrect } from "./coordinator.ts"
import type { TwoPcBugs } from "./coordinator.ts"
import { formatTwoPcMessage, formatTwoPcRequest, formatTwoPcResponse, formatTwoPcTimer, twoPcView } from "./format.ts"
import { twoPcActor } from "./node.ts"
import { twoPcProperties, twoPcTerminal } from "./properties.ts"
import type { TwoPhaseCommitSystem } from "./properties.ts"

const twoPcOptions = {
  participants: int("number of participants (resource managers)", { default: 3, min: 1, max: 6 }),
  transactions: int("clients, each asking for one transaction; the second and later want the first's key on p1", { default: 1, min: 1, max: 3 }),
  crashes: int("crash budget: crashes of any nodes in one behaviour", { default: 1, min: 0, max: 3 }),
  inquire: flag("a prepared participant whose decision is overdue asks for it (InDoubt) and reports itself blocked, as the cluster does; off, it asks only on restart"),
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
  const actor = twoPcActor({ participants, inquire: options.inquire, ...bugs })
  const nodes = [COORDINATOR, ...participants]
  return {
    nodes: nodes.map((id) => ({ id, actor })),
    clients: Array.from({ length: options.transactions }, (_, i) => ({
      id: i === 0 ? "client" : `client${i + 1}`,
      client: twoPcClient(clientWrites(participants, i))
    })),
    network: options.network,
    lossy: options.lossy,
    maxCrashes: options.crashes,
    // With one transaction, writing one key on each participant, participants differ only in their ids and the names
    // of their keys, which no step nor property compares. A second transaction wants p1's key alone: no symmetry.
    ...(options.transactions === 1 ? { symmetric: participants } : {}),
    properties: twoPcProperties(nodes, options.crashes, options.transactions),
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
