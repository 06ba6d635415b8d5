import { applyKvInPlace, kvWrites, reply } from "@parley/core"
import type { ClientId } from "@parley/core"
import type { Outbox, RaftState, Session } from "./state.ts"

/**
 * Applies the committed entries not yet applied, in log order, to the
 * key-value store. A command whose client already had this or a later
 * sequence number applied is a retry and takes no effect again (thesis §6.3).
 * A leader answers the client of each command it applies; whoever leads when
 * an entry is applied answers, so a client whose leader failed still hears.
 * The store and the sessions are copied once for the whole run of entries,
 * at its first change, and the copies changed in place: `s` is untouched.
 */
export const applyCommitted = (s: RaftState, out: Outbox): RaftState => {
  if (s.lastApplied >= s.commitIndex) return s
  let store: Record<string, string> | undefined
  let sessions: Record<ClientId, Session> | undefined
  for (let index = s.lastApplied + 1; index <= s.commitIndex; index++) {
    const command = s.log[index - 1]!.command
    if (command === null) continue
    const session: Session | undefined = (sessions ?? s.sessions)[command.client]
    if (session !== undefined && command.seq <= session.seq) continue
    if (kvWrites(command.op)) store ??= { ...s.store }
    const output = applyKvInPlace(store ?? s.store as Record<string, string>, command.op)
    sessions ??= { ...s.sessions }
    sessions[command.client] = { seq: command.seq, output }
    if (s.role === "leader") out.push(reply(command.client, { _tag: "Done", seq: command.seq, output }))
  }
  return { ...s, lastApplied: s.commitIndex, store: store ?? s.store, sessions: sessions ?? s.sessions }
}
