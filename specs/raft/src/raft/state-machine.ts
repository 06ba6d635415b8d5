import { reply } from "@parley/core"
import { applyKvCommand } from "@parley/kv"
import { entryAt, logLength } from "./log.ts"
import type { Outbox, RaftState } from "./state.ts"

/**
 * Applies the committed entries not yet applied, in log order, to the
 * key-value store. A command whose client already had this or a later
 * sequence number applied is a retry and takes no effect again (thesis §6.3).
 * A leader answers the client of each command it applies; whoever leads when
 * an entry is applied answers, so a client whose leader failed still hears.
 */
export const applyCommitted = (s: RaftState, out: Outbox): RaftState => {
  if (s.lastApplied >= s.commitIndex) return s
  let { store, sessions } = s
  for (let index = s.lastApplied + 1; index <= s.commitIndex; index++) {
    const command = entryAt(s.log, index)!.command
    if (command === null) continue
    const applied = applyKvCommand(store, sessions, command)
    if (applied === undefined) continue
    store = applied.store
    sessions = applied.sessions
    if (s.role === "leader") out.push(reply(command.client, { _tag: "Done", seq: command.seq, output: applied.output }))
  }
  return { ...s, lastApplied: s.commitIndex, store, sessions }
}

/**
 * replay-uncommitted: a restarted node applies every entry it persisted, as
 * if its log were its committed prefix, while its commit index starts at 0
 * as Figure 2 says. What it persisted may be an old leader's tail that the
 * cluster never committed and a later leader overwrites.
 */
export const replayLog = (s: RaftState): RaftState => ({ ...applyCommitted({ ...s, commitIndex: logLength(s.log) }, []), commitIndex: 0 })
