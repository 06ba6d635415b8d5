/**
 * The proposer side of a node: it campaigns for leadership with phase 1 for
 * every slot at once, takes over the slots the promises report, and then
 * runs phase 2 alone, one slot per client command. This is what makes
 * Multi-Paxos cheaper than a Paxos instance per command: a stable leader
 * pays one Accept round trip per command.
 */
import { reply, send, setTimer, SetOf } from "@parley/core"
import type { ClientId, NodeId } from "@parley/core"
import { answeredFromSession } from "@parley/kv"
import { accept, promise, votesFrom } from "./acceptor.ts"
import { catchUpBatchOf, nextBallotOf, ownerOf, peersOf, quorumOf } from "./config.ts"
import type { MultiPaxosConfig } from "./config.ts"
import { chosenFrom, compact, learn, learnedAt, nextFreeSlot } from "./log.ts"
import { emptySet, sortedSetWith } from "../node-set.ts"
import { commandFor } from "./sessions.ts"
import type { MultiPaxosRequest, Slot, SlotValue, SlotVote } from "./messages.ts"
import type { Leadership, MultiPaxosState, Outbox } from "./state.ts"

type Preparing = Extract<Leadership, { readonly role: "preparing" }>
type Leading = Extract<Leadership, { readonly role: "leading" }>

/**
 * The campaign timer: a node that does not lead prepares its next ballot,
 * above everything it promised, for every slot it has not applied. It
 * promises the ballot itself, so its own votes are the first reported. The
 * timer stays set: a campaign that stalls is followed by another.
 */
export const campaign = (config: MultiPaxosConfig, s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  const next = s.leadership.role === "leading" ? s : prepare(config, s, out)
  out.push(setTimer("campaign"))
  return next
}

const prepare = (config: MultiPaxosConfig, s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  const ballot = nextBallotOf(config, s.self, s.promised)
  const promised = promise(s, ballot)!
  const fromSlot = s.applied + 1
  const preparing: Preparing = { role: "preparing", ballot, fromSlot, promisedBy: emptySet(), reported: votesFrom(promised, fromSlot) }
  for (const peer of peersOf(config, s.self)) out.push(send(peer, { _tag: "Prepare", ballot, fromSlot }))
  return takeOverWithQuorum(config, { ...promised, leadership: preparing }, out)
}

/** Keeps, per slot, the vote of the highest ballot among those reported so far. */
const highestPerSlot = (known: ReadonlyArray<SlotVote>, reported: ReadonlyArray<SlotVote>): ReadonlyArray<SlotVote> => {
  if (reported.length === 0) return known
  const bySlot = new Map(known.map((vote) => [vote.slot, vote]))
  for (const vote of reported) {
    const current = bySlot.get(vote.slot)
    if (current === undefined || vote.ballot > current.ballot) bySlot.set(vote.slot, vote)
  }
  return [...bySlot.values()].sort((a, b) => a.slot - b.slot)
}

export const onPromise = (config: MultiPaxosConfig, s: MultiPaxosState, from: NodeId, ballot: number, votes: ReadonlyArray<SlotVote>, out: Outbox): MultiPaxosState => {
  const lead = s.leadership
  if (lead.role !== "preparing" || ballot !== lead.ballot || lead.promisedBy.includes(from)) return s
  const promisedBy = sortedSetWith(lead.promisedBy, from)
  return takeOverWithQuorum(config, { ...s, leadership: { ...lead, promisedBy, reported: highestPerSlot(lead.reported, votes) } }, out)
}

/**
 * With a quorum of promises (its own among them) the node leads. For every
 * slot up to the last one reported it proposes the highest-ballot command a
 * promise reported there, since that command may already be chosen, and a
 * no-op in a gap nobody reported, so later slots can be applied. Its
 * heartbeat starts: the followers hear it leads and what it learned.
 */
const takeOverWithQuorum = (config: MultiPaxosConfig, s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  const lead = s.leadership
  if (lead.role !== "preparing" || 1 + lead.promisedBy.length < quorumOf(config)) return s
  const lastReported = lead.reported.at(-1)?.slot ?? 0
  if (config.heartbeats === true) out.push(setTimer("heartbeat"))
  let node: MultiPaxosState = { ...s, leadership: { role: "leading", ballot: lead.ballot, acceptors: acceptorsOf(config, s.self, lead.promisedBy), proposals: [], reproposed: 0, peers: {} } }
  let reproposed = 0
  for (let slot = lead.fromSlot; slot <= lastReported; slot++) {
    if (learnedAt(node, slot) !== undefined) continue
    // ignore-accepted: the leader trusts its own acceptor's vote over the higher ones its quorum reported.
    const vote = (config.bugs.ignoreAccepted ? s.accepted : lead.reported).find((v) => v.slot === slot)
    if (vote !== undefined && vote.command !== null) reproposed++
    node = propose(config, node, slot, vote?.command ?? null, out)
  }
  return node.leadership.role === "leading" && reproposed > 0 ? { ...node, leadership: { ...node.leadership, reproposed } } : node
}

/**
 * Where phase 2 goes. With heartbeats (a host), to every peer, so any
 * majority can choose and the loss of one promiser costs nothing; without
 * (the papers' Multi-Paxos, and the default check's), to the peers whose
 * promise made the quorum, the ones known to listen.
 */
const acceptorsOf = (config: MultiPaxosConfig, self: NodeId, promisedBy: ReadonlyArray<NodeId>): ReadonlyArray<NodeId> =>
  config.heartbeats === true ? SetOf.from(peersOf(config, self)) : promisedBy

/** Phase 2a in the leader's ballot: it votes first itself, then asks its acceptors. */
const propose = (config: MultiPaxosConfig, s: MultiPaxosState, slot: Slot, command: SlotValue, out: Outbox): MultiPaxosState => {
  const lead = s.leadership as Leading
  const voted = accept(s, lead.ballot, slot, command)
  // A node steps down the moment it promises a higher ballot, so a leader's promise is its own ballot.
  if (voted === undefined) throw new Error(`${s.self} leads ballot ${lead.ballot} but promised ${s.promised}`)
  for (const peer of lead.acceptors) out.push(send(peer, { _tag: "Accept", ballot: lead.ballot, slot, command }))
  const leading: Leading = { ...lead, proposals: [...lead.proposals, { slot, command, acks: emptySet() }] }
  return countAccepted(config, { ...voted, leadership: leading }, lead.ballot, slot, s.self, out)
}

/** Phase 2b heard: a proposal a quorum accepted in the leader's ballot is chosen, and the leader learns it. */
export const countAccepted = (config: MultiPaxosConfig, s: MultiPaxosState, ballot: number, slot: Slot, acceptor: NodeId, out: Outbox): MultiPaxosState => {
  const lead = s.leadership
  if (lead.role !== "leading" || lead.ballot !== ballot) return s
  const proposal = lead.proposals.find((p) => p.slot === slot)
  if (proposal === undefined || proposal.acks.includes(acceptor)) return s
  const acks = sortedSetWith(proposal.acks, acceptor)
  if (acks.length < quorumOf(config)) {
    return { ...s, leadership: { ...lead, proposals: lead.proposals.map((p) => (p === proposal ? { ...p, acks } : p)) } }
  }
  const chosen: MultiPaxosState = { ...s, leadership: { ...lead, proposals: lead.proposals.filter((p) => p !== proposal) } }
  return learn(config, chosen, slot, proposal.command, out)
}

/**
 * The leader's heartbeat: to every peer, a Commit saying what it learned and
 * how far every node's snapshot reaches, and again each Accept not yet
 * answered, in case a partition or a broken connection lost it. Without
 * `resendIdle` (a model) a Commit goes only to a peer not known to have
 * applied what the leader did, and the leader then takes it as told, as
 * Raft's leader advances nextIndex optimistically: the peer's Progress
 * corrects it, and what the peer cannot learn from its votes comes by Learn.
 */
export const heartbeat = (config: MultiPaxosConfig, s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  const lead = s.leadership
  if (lead.role !== "leading") return s
  const idleToo = config.resendIdle === true
  let peers = lead.peers
  for (const peer of peersOf(config, s.self)) {
    const known = lead.peers[peer]
    if (idleToo || (known?.applied ?? 0) < s.applied) {
      out.push(send(peer, { _tag: "Commit", ballot: lead.ballot, chosen: s.applied, compacted: s.compacted }))
      if (!idleToo) peers = { ...peers, [peer]: { applied: s.applied, saved: known?.saved ?? 0 } }
    }
    if (!idleToo) continue
    for (const p of lead.proposals) {
      if (!p.acks.includes(peer)) out.push(send(peer, { _tag: "Accept", ballot: lead.ballot, slot: p.slot, command: p.command }))
    }
  }
  out.push(setTimer("heartbeat"))
  return peers === lead.peers ? s : { ...s, leadership: { ...lead, peers } }
}

/**
 * A follower's progress: the leader notes how far its snapshot reaches,
 * forgets what every node's snapshot holds, and sends the chosen slots the
 * follower lacks (its own snapshot first, when its log no longer reaches
 * back to them).
 */
export const onProgress = (config: MultiPaxosConfig, s: MultiPaxosState, from: NodeId, ballot: number, applied: number, saved: number, out: Outbox): MultiPaxosState => {
  const lead = s.leadership
  if (lead.role !== "leading" || lead.ballot !== ballot) return s
  const known = lead.peers[from]
  const reported = { applied, saved: Math.max(saved, known?.saved ?? 0) }
  const updated = known !== undefined && known.applied === reported.applied && known.saved === reported.saved
    ? s
    : { ...s, leadership: { ...lead, peers: { ...lead.peers, [from]: reported } } }
  const node = reported.saved > (known?.saved ?? -1) ? withCompaction(config, updated) : updated
  if (applied < node.applied) {
    const entries = chosenFrom(node, applied + 1, catchUpBatchOf(config))
    const snapshot = entries === undefined ? node.snapshot : null
    const after = entries ?? chosenFrom(node, node.snapshot.through + 1, catchUpBatchOf(config)) ?? []
    out.push(send(from, { _tag: "Learn", ballot, snapshot, entries: after }))
  }
  return node
}

/** The slots every node's snapshot reaches, once every peer reported one, dropped. */
const withCompaction = (config: MultiPaxosConfig, s: MultiPaxosState): MultiPaxosState => {
  const lead = s.leadership as Leading
  let through = s.snapshot.through
  for (const peer of peersOf(config, s.self)) through = Math.min(through, lead.peers[peer]?.saved ?? 0)
  return compact(s, through)
}

/** Whether `client`'s command `seq` is proposed or learned and not yet applied: it will be answered when it is. */
const inProgress = (s: MultiPaxosState, client: ClientId, seq: number): boolean => {
  const isIt = (command: SlotValue): boolean => command !== null && command.client === client && command.seq === seq
  return s.log.some((entry) => entry.slot > s.applied && isIt(entry.command)) ||
    (s.leadership.role === "leading" && s.leadership.proposals.some((p) => isIt(p.command)))
}

/** The leader a node that does not lead knows of: the owner of the highest ballot it promised, unless that is itself (still preparing, or restarted). */
export const knownLeader = (config: MultiPaxosConfig, s: MultiPaxosState): NodeId | null =>
  s.promised === 0 || ownerOf(config, s.promised) === s.self ? null : ownerOf(config, s.promised)

/**
 * A client request. Only the leader takes one, into the next free slot;
 * others redirect to the leader they know. Every command, a Get included,
 * is answered once chosen and applied, so reads are linearizable without a
 * lease. A retry of a command already applied gets the remembered answer;
 * one still in progress waits for it.
 */
export const onClientRequest = (config: MultiPaxosConfig, s: MultiPaxosState, client: ClientId, request: MultiPaxosRequest, out: Outbox): MultiPaxosState => {
  const { seq } = request
  if (s.leadership.role !== "leading") {
    out.push(reply(client, { _tag: "Redirect", seq, leader: knownLeader(config, s) }))
    return s
  }
  if (answeredFromSession(s.sessions, client, seq, out) || inProgress(s, client, seq)) return s
  const slot = nextFreeSlot(s)
  return propose(config, s, slot, commandFor(config, slot, client, request), out)
}
