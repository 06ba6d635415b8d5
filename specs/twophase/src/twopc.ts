/**
 * `2pc`: two-phase commit with presumed abort, as actors over a network — a
 * coordinator, participants `p1`…`pN` and one client that asks for one
 * transaction. Where TwoPhase.tla abstracts the network into a set of
 * messages that are never lost, this spec runs the protocol the way a
 * database does: messages may be reordered, duplicated or lost as the
 * network semantics say, and nodes crash and recover from their logs.
 *
 * The protocol is in twopc-coordinator.ts and twopc-participant.ts, the
 * messages and their Schemas in twopc-messages.ts, the properties in
 * twopc-properties.ts.
 */
import { configFlag, configInt, configNetwork, configString, CorrectVariant, lossyOption, networkOption } from "@parley/core"
import type { NetworkSemantics, NodeId, SpecDefinition, SpecVariant, SystemSpec } from "@parley/core"
import { twoPcActor, twoPcClient } from "./twopc-actor.ts"
import type { TwoPcClientState, TwoPcNodeState } from "./twopc-actor.ts"
import { COORDINATOR } from "./twopc-coordinator.ts"
import {
  formatTwoPcMessage,
  formatTwoPcRequest,
  formatTwoPcResponse,
  formatTwoPcTimer
} from "./twopc-messages.ts"
import type { TwoPcLog, TwoPcMessage, TwoPcRequest, TwoPcResponse, TwoPcTimer } from "./twopc-messages.ts"
import { twoPcProperties, twoPcTerminal } from "./twopc-properties.ts"

export {
  BeginRequest,
  CastVoteTimer,
  CoordinatorLog,
  DecisionMessage,
  FlushLogTimer,
  formatTwoPcMessage,
  formatTwoPcRequest,
  formatTwoPcResponse,
  formatTwoPcTimer,
  InquireMessage,
  OutcomeResponse,
  ParticipantLog,
  ParticipantPhase,
  PrepareMessage,
  TwoPcDecision,
  TwoPcLog,
  TwoPcMessage,
  TwoPcRequest,
  TwoPcResponse,
  TwoPcTimer,
  TwoPcVote,
  VoteMessage,
  VoteTimeoutTimer
} from "./twopc-messages.ts"
export { COORDINATOR, initialCoordinator } from "./twopc-coordinator.ts"
export type { CoordinatorConfig, CoordinatorState } from "./twopc-coordinator.ts"
export { initialParticipant } from "./twopc-participant.ts"
export type { ParticipantState } from "./twopc-participant.ts"
export { twoPcActor, twoPcClient } from "./twopc-actor.ts"
export type { TwoPcActor, TwoPcClientState, TwoPcNodeState } from "./twopc-actor.ts"
export {
  agreement,
  clientOutcomeMatches,
  commitNeedsAllYes,
  coordinatorAgrees,
  twoPcProperties,
  twoPcTerminal
} from "./twopc-properties.ts"
export type { TwoPcSystemState } from "./twopc-properties.ts"

/** Known-buggy variants; the checker must find each one's violation. */
export const twoPcVariants = [
  {
    name: "no-durable-decision",
    description: "the coordinator sends its decision before the log write completes (a FlushLog timer ends it); " +
      "crashing in between, it recovers with no decision, presumes abort and contradicts a participant that committed"
  }
] as const satisfies ReadonlyArray<SpecVariant>

export type TwoPcVariant = typeof CorrectVariant | (typeof twoPcVariants)[number]["name"]

const variantNames: ReadonlyArray<string> = [CorrectVariant, ...twoPcVariants.map((v) => v.name)]

/** The variant named `name`, or a TypeError that lists the variants there are. */
export const parseTwoPcVariant = (name: string): TwoPcVariant => {
  if (!variantNames.includes(name)) {
    throw new TypeError(`2pc has no variant "${name}"; its variants: ${variantNames.join(", ")}`)
  }
  return name as TwoPcVariant
}

export interface TwoPhaseCommitOptions {
  readonly participants: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  /** The crash budget: how many crashes, of any nodes, one behaviour may contain. */
  readonly crashes: number
  readonly variant: string
}

export type TwoPhaseCommitSystem = SystemSpec<
  TwoPcNodeState,
  TwoPcMessage,
  TwoPcTimer,
  TwoPcRequest,
  TwoPcResponse,
  TwoPcLog,
  TwoPcClientState,
  never
>

export const MaxParticipants = 6

/** The participants' ids for a count: `p1` … `pN`. */
export const participantIds = (count: number): ReadonlyArray<NodeId> =>
  Array.from({ length: count }, (_, i) => `p${i + 1}`)

/** What a trace shows of a node: its state without the constant role tag. */
const view = (state: TwoPcNodeState): unknown => {
  const { role: _role, ...shown } = state
  return shown
}

export const twoPhaseCommitSystem = (options: TwoPhaseCommitOptions): TwoPhaseCommitSystem => {
  const { participants: count, crashes } = options
  if (!Number.isInteger(count) || count < 1 || count > MaxParticipants) {
    throw new RangeError(`2pc needs a whole number of participants from 1 to ${MaxParticipants}, got ${count}`)
  }
  if (!Number.isInteger(crashes) || crashes < 0) {
    throw new RangeError(`2pc needs a crash budget that is a whole number from 0, got ${crashes}`)
  }
  const variant = parseTwoPcVariant(options.variant)
  const participants = participantIds(count)
  const actor = twoPcActor({ participants, lazyLog: variant === "no-durable-decision" })
  return {
    nodes: [COORDINATOR, ...participants].map((id) => ({ id, actor })),
    clients: [{ id: "client", client: twoPcClient }],
    network: options.network,
    lossy: options.lossy,
    maxCrashes: crashes,
    // Participants differ only in their ids: the coordinator treats them alike and no property names one.
    symmetric: participants,
    properties: twoPcProperties(crashes),
    terminal: twoPcTerminal,
    formatMessage: formatTwoPcMessage,
    formatTimer: formatTwoPcTimer,
    formatRequest: formatTwoPcRequest,
    formatResponse: formatTwoPcResponse,
    view
  }
}

export const twoPhaseCommitSpec: SpecDefinition = {
  module: import.meta.url,
  name: "2pc",
  description: "Two-phase commit with presumed abort as actors: a coordinator that logs its decision before " +
    "sending it, participants that vote, crash and recover, and the blocking of a prepared participant while " +
    "the coordinator is down (which 3PC and Paxos Commit remove)",
  options: [
    {
      kind: "int",
      name: "participants",
      description: "number of participants (resource managers)",
      default: 3,
      min: 1,
      max: MaxParticipants
    },
    { kind: "int", name: "crashes", description: "crash budget: crashes of any nodes in one behaviour", default: 1, min: 0, max: 3 },
    networkOption("unordered"),
    lossyOption
  ],
  variants: twoPcVariants,
  build: (config) => {
    const network = configNetwork(config, "2pc")
    const system = twoPhaseCommitSystem({
      participants: configInt(config, "participants"),
      crashes: configInt(config, "crashes"),
      network,
      lossy: configFlag(config, "lossy"),
      variant: configString(config, "variant")
    })
    return { _tag: "System", system }
  }
}
