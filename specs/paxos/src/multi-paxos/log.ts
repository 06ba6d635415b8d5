/**
 * The learner and the replicated state machine: a node adds a slot to its
 * log once it learns the slot is chosen, and applies the log in slot order
 * to the key-value store. A command whose client already had this or a
 * later sequence number applied is a retry chosen a second time (in another
 * slot, by another leader) and takes no effect again.
 *
 * Every `snapshotEvery` applied slots a node snapshots its store (made
 * durable with its votes); once every node's snapshot reaches a slot, the
 * votes and learned slots up to it are dropped, so the log a long run keeps
 * is bounded.
 */
import { reply } from "@parley/core"
import { applyKvCommand, expireSessions } from "@parley/kv"
import { votesAfter } from "./acceptor.ts"
import { snapshotEveryOf } from "./config.ts"
import type { MultiPaxosConfig } from "./config.ts"
import type { Slot, SlotValue, Snapshot } from "./messages.ts"
import type { Learned, MultiPaxosState, Outbox } from "./state.ts"

/** The index of `slot` in the sorted log, or of where it would go, negated and less one (as Java's binarySearch). */
const indexOf = (log: ReadonlyArray<Learned>, slot: Slot): number => {
  let low = 0
  let high = log.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const entrySlot = log[middle]!.slot
    if (entrySlot === slot) return middle
    if (entrySlot < slot) low = middle + 1
    else high = middle - 1
  }
  return -low - 1
}

export const learnedAt = (s: MultiPaxosState, slot: Slot): Learned | undefined => {
  const index = indexOf(s.log, slot)
  return index >= 0 ? s.log[index] : undefined
}

/** The slot after every slot this node learned, applied or proposes: where its next client command goes. */
export const nextFreeSlot = (s: MultiPaxosState): Slot => {
  let last = Math.max(s.applied, s.log.at(-1)?.slot ?? 0)
  if (s.leadership.role === "leading") for (const proposal of s.leadership.proposals) last = Math.max(last, proposal.slot)
  return last + 1
}

/** The log with `slot` learned; the usual case, a slot past the last, appends. */
const withLearned = (log: ReadonlyArray<Learned>, slot: Slot, command: SlotValue): ReadonlyArray<Learned> => {
  const entry: Learned = { slot, command }
  if (log.length === 0 || log[log.length - 1]!.slot < slot) return [...log, entry]
  const index = -indexOf(log, slot) - 1
  return [...log.slice(0, index), entry, ...log.slice(index)]
}

/**
 * `command` is chosen in `slot`. A leader learns from its quorum's Accepted,
 * a follower from the leader's heartbeat or catch-up. Only a node that leads
 * answers the clients of what it applies, so a client hears once; a client
 * whose leader failed hears from the next one, which chooses the command
 * again.
 */
export const learn = (config: MultiPaxosConfig, s: MultiPaxosState, slot: Slot, command: SlotValue, out: Outbox): MultiPaxosState =>
  learnAll(config, s, [{ slot, command }], out)

/** Every entry learned, then what has no gap before it applied. */
export const learnAll = (config: MultiPaxosConfig, s: MultiPaxosState, entries: ReadonlyArray<Learned>, out: Outbox): MultiPaxosState => {
  let log = s.log
  for (const { slot, command } of entries) {
    if (slot > s.applied && indexOf(log, slot) < 0) log = withLearned(log, slot, command)
  }
  return log === s.log ? s : applyLearned(config, { ...s, log }, out)
}

/** Applies the learned slots after `applied` that have no gap before them, and snapshots when one is due. */
const applyLearned = (config: MultiPaxosConfig, s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  let applied = s.applied
  let { store, sessions } = s
  const answers = s.leadership.role === "leading"
  for (let index = indexOf(s.log, applied + 1); index >= 0 && index < s.log.length && s.log[index]!.slot === applied + 1; index++) {
    applied++
    const command = s.log[index]!.command
    if (command === null) continue
    const result = applyKvCommand(store, sessions, command)
    if (result !== undefined) {
      store = result.store
      sessions = result.sessions
      if (answers) out.push(reply(command.client, { _tag: "Done", seq: command.seq, output: result.output }))
    }
    if (command.expireBefore !== undefined) sessions = expireSessions(sessions, command.expireBefore)
  }
  if (applied === s.applied) return s
  const snapshot = applied - s.snapshot.through >= snapshotEveryOf(config) ? { through: applied, store, sessions } : s.snapshot
  return { ...s, applied, store, sessions, snapshot }
}

/**
 * The votes and learned slots up to `through` dropped: every node's
 * snapshot reaches it. Never past this node's own snapshot, which is what
 * keeps the slots it drops after a restart.
 */
export const compact = (s: MultiPaxosState, through: number): MultiPaxosState => {
  const upTo = Math.min(through, s.snapshot.through)
  if (upTo <= s.compacted) return s
  const first = indexOf(s.log, upTo + 1)
  const log = s.log.slice(first >= 0 ? first : -first - 1)
  return { ...s, accepted: votesAfter(s.accepted, upTo), log, compacted: upTo }
}

/** A leader's snapshot, ahead of what a follower applied: the follower takes it as its own store and its own durable snapshot. */
export const installSnapshot = (s: MultiPaxosState, snapshot: Snapshot): MultiPaxosState => {
  if (snapshot.through <= s.applied) return s
  const first = indexOf(s.log, snapshot.through + 1)
  return {
    ...s,
    applied: snapshot.through,
    store: snapshot.store,
    sessions: snapshot.sessions,
    snapshot,
    log: s.log.slice(first >= 0 ? first : -first - 1)
  }
}

/** The chosen slots from `from` on, as far as this node's log runs without a gap and it applied them, at most `limit`. */
export const chosenFrom = (s: MultiPaxosState, from: Slot, limit: number): ReadonlyArray<Learned> | undefined => {
  const first = indexOf(s.log, from)
  if (first < 0) return undefined
  const entries: Array<Learned> = []
  for (let index = first; index < s.log.length && entries.length < limit; index++) {
    const entry = s.log[index]!
    if (entry.slot !== from + entries.length || entry.slot > s.applied) break
    entries.push(entry)
  }
  return entries
}
