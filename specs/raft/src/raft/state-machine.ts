import { reply } from "@parley/core"
import type { ClientId } from "@parley/core"
import { applyKvCommand, expireSessions } from "@parley/kv"
import type { Command, RaftRequest } from "./messages.ts"
import { compacted, snapshotDue } from "./snapshot.ts"
import { entryOf, lastIndex } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

/**
 * How long a client session lives idle, by the log's time, unless the
 * cluster file says otherwise: long past any retry of a timed-out request
 * (a request waits at most 60 s), short enough that a load which names a
 * new client for every operation keeps a bounded number of sessions.
 */
export const defaultSessionExpiryMs = 10 * 60_000

/**
 * Every this many log indices a leader's stamped command also ends the
 * sessions idle past the bound: a sweep costs as much as there are
 * sessions, so it is spread over this many entries.
 */
export const sessionSweepEvery = 256

/**
 * The log entry's command for a client request a leader appends at `index`.
 * A request the host stamped with its clock (`at`, see hosting.ts) gives the
 * command that time, and at every `sessionSweepEvery`th index the time before
 * which idle sessions end: a leader's clock, read once, written into the
 * log, so every replica drops the same sessions when it applies the entry
 * (thesis §6.3). A model's requests carry no time, so its sessions never end.
 */
export const commandFor = (config: RaftConfig, index: number, client: ClientId, request: RaftRequest): Command => {
  const { seq, op, at } = request
  if (at === undefined) return { client, seq, op }
  if (index % sessionSweepEvery !== 0) return { client, seq, op, at }
  return { client, seq, op, at, expireBefore: at - (config.sessionExpiryMs ?? defaultSessionExpiryMs) }
}

/**
 * Applies the committed entries not yet applied, in log order, to the
 * key-value store. A command whose client already had this or a later
 * sequence number applied is a retry and takes no effect again (thesis §6.3).
 * A leader answers the client of each command it applies; whoever leads when
 * an entry is applied answers, so a client whose leader failed still hears.
 * A command that names a time before which sessions end ends them, whether
 * or not it is a retry. A snapshot that is due is taken first, of what
 * was applied before (snapshot.ts).
 */
export const applyCommitted = (config: RaftConfig, before: RaftState, out: Outbox): RaftState => {
  if (before.lastApplied >= before.commitIndex) return before
  const s = snapshotDue(config, before) ? compacted(config, before) : before
  let { store, sessions } = s
  for (let index = s.lastApplied + 1; index <= s.commitIndex; index++) {
    const command = entryOf(s, index)!.command
    if (command === null) continue
    const applied = applyKvCommand(store, sessions, command)
    if (applied !== undefined) {
      store = applied.store
      sessions = applied.sessions
      if (s.role === "leader") out.push(reply(command.client, { _tag: "Done", seq: command.seq, output: applied.output }))
    }
    if (command.expireBefore !== undefined) sessions = expireSessions(sessions, command.expireBefore)
  }
  return { ...s, lastApplied: s.commitIndex, store, sessions }
}

/**
 * replay-uncommitted: a restarted node applies every entry it persisted, as
 * if its log were its committed prefix, while its commit index starts at 0
 * as Figure 2 says (at its snapshot's index, with snapshots). What it
 * persisted may be an old leader's tail that the cluster never committed
 * and a later leader overwrites.
 */
export const replayLog = (config: RaftConfig, s: RaftState): RaftState => ({
  ...applyCommitted(config, { ...s, commitIndex: lastIndex(s) }, []),
  commitIndex: s.commitIndex
})
