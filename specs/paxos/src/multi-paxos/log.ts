/**
 * The learner and the replicated state machine: a node adds a slot to its
 * log once it learns the slot is chosen, and applies the log in slot order
 * to the key-value store. A command whose client already had this or a
 * later sequence number applied is a retry chosen a second time (in another
 * slot, by another leader) and takes no effect again.
 */
import { reply } from "@parley/core"
import { applyKvCommand } from "@parley/kv"
import type { Slot, SlotValue } from "./messages.ts"
import type { Learned, MultiPaxosState, Outbox } from "./state.ts"

export const learnedAt = (s: MultiPaxosState, slot: Slot): Learned | undefined => s.log.find((entry) => entry.slot === slot)

/** The slot after every slot this node learned, applied or proposes: where its next client command goes. */
export const nextFreeSlot = (s: MultiPaxosState): Slot => {
  let last = s.applied
  for (const entry of s.log) last = Math.max(last, entry.slot)
  if (s.leadership.role === "leading") for (const proposal of s.leadership.proposals) last = Math.max(last, proposal.slot)
  return last + 1
}

/**
 * `command` is chosen in `slot`. Only a leader learns (acceptors tell the
 * leader of the ballot they voted in), so the node applying a command is the
 * one that answers its client; a client whose leader failed hears from the
 * next one, which chooses the command again.
 */
export const learn = (s: MultiPaxosState, slot: Slot, command: SlotValue, out: Outbox): MultiPaxosState => {
  if (slot <= s.applied || learnedAt(s, slot) !== undefined) return s
  const log = [...s.log, { slot, command }].sort((a, b) => a.slot - b.slot)
  return applyLearned({ ...s, log }, out)
}

/** Applies the learned slots after `applied` that have no gap before them. */
const applyLearned = (s: MultiPaxosState, out: Outbox): MultiPaxosState => {
  let applied = s.applied
  let { store, sessions } = s
  for (let entry = learnedAt(s, applied + 1); entry !== undefined; entry = learnedAt(s, applied + 1)) {
    applied = entry.slot
    const command = entry.command
    if (command === null) continue
    const result = applyKvCommand(store, sessions, command)
    if (result === undefined) continue
    store = result.store
    sessions = result.sessions
    out.push(reply(command.client, { _tag: "Done", seq: command.seq, output: result.output }))
  }
  return applied === s.applied ? s : { ...s, applied, store, sessions }
}
