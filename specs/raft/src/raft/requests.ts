import { reply } from "@parley/core"
import type { ClientId } from "@parley/core"
import { answeredFromSession, readKv } from "@parley/kv"
import { appendToLog } from "./log.ts"
import type { RaftRequest } from "./messages.ts"
import { onRead } from "./reads.ts"
import { appendNewEntry, commitAndApply } from "./replication.ts"
import { commandFor } from "./state-machine.ts"
import { entryOf, lastIndex } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

const inLog = (s: RaftState, client: ClientId, seq: number): boolean => {
  for (let index = s.lastApplied + 1; index <= lastIndex(s); index++) {
    const command = entryOf(s, index)!.command
    if (command !== null && command.client === client && command.seq === seq) return true
  }
  return false
}

/**
 * A client request. Only the leader takes one; others redirect to the leader
 * they know. A Get takes no log entry: it waits for a round of heartbeats,
 * or is answered under the leader's lease (reads.ts). Every other operation
 * goes through the log and is answered once committed and applied. A retry
 * of a command already applied gets the remembered answer; one still in the
 * log waits for it.
 */
export const onClientRequest = (config: RaftConfig, s: RaftState, client: ClientId, request: RaftRequest, out: Outbox): RaftState => {
  const { seq, op } = request
  if (s.role !== "leader") {
    out.push(reply(client, { _tag: "Redirect", seq, leader: s.leader }))
    return s
  }
  if (config.bugs.staleRead && op._tag === "Get") {
    out.push(reply(client, { _tag: "Done", seq, output: readKv(s.store, op.key) }))
    return s
  }
  if (op._tag === "Get") return onRead(s, client, seq, op.key)
  if (answeredFromSession(s.sessions, client, seq, out) || inLog(s, client, seq)) return s
  const command = commandFor(config, lastIndex(s) + 1, client, request)
  const leader: RaftState = { ...s, log: appendToLog(s.log, [{ term: s.term, command }]) }
  return commitAndApply(config, appendNewEntry(config, leader, out), out)
}
