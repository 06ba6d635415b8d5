/**
 * What a Multi-Paxos cluster learned that its nodes' current states no
 * longer show: every (slot, command) any node ever learned, kept by the
 * checker beside the nodes and never seen by the reducer. A restarted node
 * forgets its log (only its acceptor state is durable); the history keeps
 * what it learned, so `AtMostOneChosenPerSlot` judges every choice a node
 * ever acted on, crashed or not.
 */
import { equals, withFingerprintMemo } from "@parley/core"
import type { GhostHistory } from "@parley/core"
import type { Learned, MultiPaxosState } from "./state.ts"

export interface MultiPaxosHistory {
  /** Every distinct (slot, command) some node learned, sorted by slot. */
  readonly learned: ReadonlyArray<Learned>
}

export const noHistory: MultiPaxosHistory = withFingerprintMemo({ learned: [] })

/** Slot order, then the command's identity: one order for one set, so equal histories are equal data. */
const before = (a: Learned, b: Learned): number => a.slot - b.slot || identity(a).localeCompare(identity(b))

const identity = (entry: Learned): string => (entry.command === null ? "" : `${entry.command.client}#${entry.command.seq}`)

const observe = (history: MultiPaxosHistory, previous: MultiPaxosState | undefined, after: MultiPaxosState): MultiPaxosHistory => {
  if (previous !== undefined && previous.log === after.log) return history
  let learned = history.learned
  for (const entry of after.log) {
    if (!learned.some((known) => known.slot === entry.slot && equals(known.command, entry.command))) learned = [...learned, entry].sort(before)
  }
  return learned === history.learned ? history : withFingerprintMemo({ learned })
}

export const multiPaxosHistory: GhostHistory<MultiPaxosState, MultiPaxosHistory> = {
  init: noHistory,
  observe: (history, _node, before, after) => observe(history, before, after)
}
