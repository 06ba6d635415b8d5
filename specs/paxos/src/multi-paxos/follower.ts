/**
 * A node that follows a leader: it hears the leader's heartbeat, learns the
 * slots the leader says are chosen (from its own votes, or from the
 * leader's log when it lacks them), forgets what every node's snapshot
 * holds, and tells the leader how far it got. Hearing a leader also keeps
 * it from campaigning: its campaign timer starts again.
 */
import { send, setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import { promise } from "./acceptor.ts"
import type { MultiPaxosConfig } from "./config.ts"
import { compact, installSnapshot, learnAll } from "./log.ts"
import type { Chosen, Snapshot } from "./messages.ts"
import { follower, ownBallot } from "./state.ts"
import type { Learned, MultiPaxosState, Outbox } from "./state.ts"

/** A node that promises a ballot above its own stops preparing or leading it: that ballot can no longer win. */
export const stepDownBelow = (s: MultiPaxosState): MultiPaxosState =>
  s.leadership.role !== "follower" && ownBallot(s) < s.promised ? { ...s, leadership: follower } : s

/**
 * A message from the leader of `ballot`: undefined when a higher ballot was
 * promised (an old leader's). A higher ballot is promised here, as it may be
 * at any time, so the node knows its leader and steps down from its own.
 */
const heardLeader = (s: MultiPaxosState, ballot: number, out: Outbox): MultiPaxosState | undefined => {
  if (ballot < s.promised) return undefined
  out.push(setTimer("campaign"))
  return ballot === s.promised ? s : stepDownBelow(promise(s, ballot)!)
}

const progress = (from: NodeId, ballot: number, s: MultiPaxosState, out: Outbox): void => {
  out.push(send(from, { _tag: "Progress", ballot, applied: s.applied, saved: s.snapshot.through }))
}

/**
 * The leader's heartbeat. A vote in `ballot` in a slot the leader learned
 * is the command chosen there: a leader proposes one command per slot in its
 * ballot, and learns only what its own ballot chose.
 */
export const onCommit = (config: MultiPaxosConfig, s: MultiPaxosState, from: NodeId, ballot: number, chosen: number, compacted: number, out: Outbox): MultiPaxosState => {
  const heard = heardLeader(s, ballot, out)
  if (heard === undefined) return s
  const learned: Array<Learned> = []
  for (const vote of heard.accepted) {
    if (vote.slot > heard.applied && vote.slot <= chosen && vote.ballot === ballot) learned.push({ slot: vote.slot, command: vote.command })
  }
  const node = compact(learnAll(config, heard, learned, out), compacted)
  progress(from, ballot, node, out)
  return node
}

/** Catch-up from the leader's log, and its snapshot first when the follower is behind what the log still holds. */
export const onLearn = (config: MultiPaxosConfig, s: MultiPaxosState, from: NodeId, ballot: number, snapshot: Snapshot | null, entries: ReadonlyArray<Chosen>, out: Outbox): MultiPaxosState => {
  const heard = heardLeader(s, ballot, out)
  if (heard === undefined) return s
  const node = learnAll(config, snapshot === null ? heard : installSnapshot(heard, snapshot), entries, out)
  progress(from, ballot, node, out)
  return node
}
