/**
 * What Multi-Paxos promises, slot by slot, as properties of the cluster the
 * checker explores, and the `sometimes` properties that show the
 * interesting states are reached at all. These are promises under crash
 * faults: a node that lies about its promise or its votes (a Byzantine
 * fault) can break every one of them, and Paxos does not claim otherwise.
 *
 * A command is taken as chosen in a slot when the properties can see it:
 * a quorum of acceptors holds a vote for it in one ballot, or a node learned
 * it (a leader heard a quorum's Accepted) at any time, crashed since or not:
 * the checker keeps every slot any node learned (history.ts). Acceptors keep
 * only their latest vote per slot, so a choice later overwritten survives in
 * what its leader learned; one nobody learned may be missed.
 * Every choice reported is a real one.
 */
import { always, equals, linearizable, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import { kvRequestSpec } from "@parley/kv"
import type { KvClientState, KvClientTimer } from "@parley/kv"
import { quorumOf } from "./config.ts"
import { noHistory } from "./history.ts"
import type { MultiPaxosHistory } from "./history.ts"
import type { MultiPaxosConfig } from "./config.ts"
import type { Command, MultiPaxosDurable, MultiPaxosTimer, Slot, SlotValue, SlotVote } from "./messages.ts"
import type { MultiPaxosActor } from "./node.ts"
import type { MultiPaxosState } from "./state.ts"

export type MultiPaxosSystem = SystemSpecOf<MultiPaxosActor, KvClientState, KvClientTimer, MultiPaxosHistory>
export type MultiPaxosSystemState = SystemStateOf<MultiPaxosSystem>

type Node = NodeSlot<MultiPaxosState, MultiPaxosTimer, MultiPaxosDurable>

/** A node's votes: its live ones, or those a crashed node's disk kept. */
const votesOf = (node: Node): ReadonlyArray<SlotVote> => (node.up ? node.state.accepted : node.durable.accepted)

/** `c1#2`, or `noop`: a command's identity, as a client's sequence numbers make it unique. */
const keyOf = (command: SlotValue): string => (command === null ? "noop" : `${command.client}#${command.seq}`)

/** Each slot the properties can see chosen, with every distinct command seen chosen there. */
export const chosenPerSlot = (config: MultiPaxosConfig, s: MultiPaxosSystemState): ReadonlyMap<Slot, ReadonlyMap<string, SlotValue>> => {
  const chosen = new Map<Slot, Map<string, SlotValue>>()
  const add = (slot: Slot, command: SlotValue) => {
    const commands = chosen.get(slot) ?? new Map<string, SlotValue>()
    commands.set(keyOf(command), command)
    chosen.set(slot, commands)
  }
  // A quorum of acceptors holding votes for one command in one ballot.
  const tally = new Map<string, { vote: SlotVote; count: number }>()
  for (const node of s.nodes) {
    for (const vote of votesOf(node)) {
      const key = `${vote.slot} ${vote.ballot} ${keyOf(vote.command)}`
      const seen = tally.get(key)
      tally.set(key, { vote, count: (seen?.count ?? 0) + 1 })
    }
  }
  for (const { vote, count } of tally.values()) if (count >= quorumOf(config)) add(vote.slot, vote.command)
  // What any node ever learned, crashed or not (history.ts).
  for (const entry of (s.ghost ?? noHistory).learned) add(entry.slot, entry.command)
  return chosen
}

/** Agreement, per slot: no two different commands are ever chosen in one slot. */
export const atMostOneChosenPerSlot = (config: MultiPaxosConfig) =>
  always<MultiPaxosSystemState>("AtMostOneChosenPerSlot", (s) => [...chosenPerSlot(config, s).values()].every((commands) => commands.size <= 1))

const requested = (s: MultiPaxosSystemState, command: Command): boolean =>
  s.history.some((event) =>
    event._tag === "Invoke" && event.client === command.client && event.request.seq === command.seq && equals(event.request.op, command.op))

/** Validity: a chosen command is one a client requested, or a no-op a leader filled a gap with. */
export const chosenWasProposed = (config: MultiPaxosConfig) =>
  always<MultiPaxosSystemState>("ChosenWasProposed", (s) => {
    for (const commands of chosenPerSlot(config, s).values()) {
      for (const command of commands.values()) if (command !== null && !requested(s, command)) return false
    }
    return true
  })

/** No acceptor holds a vote in a ballot above its promise: accepting a ballot promises it. */
export const voteWithinPromise = always<MultiPaxosSystemState>("VoteWithinPromise", (s) =>
  s.nodes.every((node) => {
    const promised = node.up ? node.state.promised : node.durable.promised
    return votesOf(node).every((vote) => vote.ballot <= promised)
  }))

/** The client history is linearizable against a single key-value map. */
export const clientsLinearizable = linearizable("Linearizable", kvRequestSpec, (s: MultiPaxosSystemState) => s.history)

const chosenCommands = (config: MultiPaxosConfig, s: MultiPaxosSystemState): ReadonlyArray<SlotValue> =>
  [...chosenPerSlot(config, s).values()].flatMap((commands) => [...commands.values()])

/** A client's command is chosen. */
export const commandChosen = (config: MultiPaxosConfig) =>
  sometimes<MultiPaxosSystemState>("CommandChosen", (s) => chosenCommands(config, s).some((command) => command !== null))

/** Slots 1 and 2 are both chosen: the log grows past one instance. */
export const twoSlotsChosen = (config: MultiPaxosConfig) =>
  sometimes<MultiPaxosSystemState>("TwoSlotsChosen", (s) => {
    const chosen = chosenPerSlot(config, s)
    return chosen.has(1) && chosen.has(2)
  })

/** A no-op is chosen: a new leader filled a slot below one its quorum reported, so the log can be applied past it. */
export const gapFilled = (config: MultiPaxosConfig) =>
  sometimes<MultiPaxosSystemState>("GapFilled", (s) => chosenCommands(config, s).includes(null))

/** A later leader took over a command an earlier ballot had accepted, and proposes it again: phase 2's rule at work. */
export const leaderReproposed = sometimes<MultiPaxosSystemState>("LeaderReproposed", (s) =>
  s.nodes.some((node) => node.up && node.state.leadership.role === "leading" && node.state.leadership.reproposed > 0))

/** Two nodes each answered a client as leader: client operations on both sides of a change of leader. */
export const answeredByTwoLeaders = sometimes<MultiPaxosSystemState>("AnsweredByTwoLeaders", (s) =>
  new Set(s.history.flatMap((event) => (event._tag === "Return" ? [event.node] : []))).size >= 2)

/** Every client's script ran to the end: every operation answered. */
export const clientsFinished = (requests: number) =>
  sometimes<MultiPaxosSystemState>("ClientsFinished", (s) => s.clients.every((client) => client.state.seq > requests))

/** A command is chosen in a behaviour where a node crashed and came back. */
export const chosenDespiteRestart = (config: MultiPaxosConfig) =>
  sometimes<MultiPaxosSystemState>("ChosenDespiteRestart", (s) =>
    s.crashes > 0 && s.nodes.every((node) => node.up) && chosenCommands(config, s).some((command) => command !== null))

export interface PropertyBounds {
  readonly nodes: number
  readonly maxBallot: number
  readonly maxSlot: number
  readonly crashes: number
  readonly clients: number
  readonly requests: number
}

/** The properties within these bounds: a `sometimes` the bounds make unreachable is left out rather than reported unreached. */
export const multiPaxosProperties = (config: MultiPaxosConfig, bounds: PropertyBounds): ReadonlyArray<Property<MultiPaxosSystemState>> => [
  atMostOneChosenPerSlot(config),
  chosenWasProposed(config),
  voteWithinPromise,
  clientsLinearizable,
  ...(bounds.clients > 0 ? [commandChosen(config)] : []),
  // Each command takes a slot of its own.
  ...(bounds.clients > 0 && bounds.maxSlot >= bounds.clients * bounds.requests ? [clientsFinished(bounds.requests)] : []),
  ...(bounds.clients > 0 && bounds.maxSlot >= 2 && bounds.clients * bounds.requests >= 2 ? [twoSlotsChosen(config)] : []),
  ...(bounds.clients > 0 && bounds.maxBallot >= 2 ? [leaderReproposed] : []),
  ...(bounds.nodes >= 2 && bounds.clients * bounds.requests >= 2 && bounds.maxBallot >= 2 ? [answeredByTwoLeaders] : []),
  // A gap needs two clients' commands in flight at once, and a quorum that can miss a slot: three nodes or more.
  ...(bounds.nodes >= 3 && bounds.clients >= 2 && bounds.maxSlot >= 2 && bounds.maxBallot >= 2 ? [gapFilled(config)] : []),
  ...(bounds.clients > 0 && bounds.crashes > 0 ? [chosenDespiteRestart(config)] : [])
]
