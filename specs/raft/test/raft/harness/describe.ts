/**
 * How the harness prints a node: the fields of its state that one event
 * changed, and a one-line status. Both are written for a person checking a
 * scenario against the Raft paper, so they show what the paper's figures
 * show (role, term, vote, log, commit, applied) and leave out bookkeeping.
 */
import { equals } from "@parley/core"
import { bucketsFlat } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import type { Entry } from "../../../src/raft/messages.ts"
import { formatEntry } from "../../../src/raft/format.ts"
import { logEntries } from "../../../src/raft/log.ts"
import type { RaftDurable } from "../../../src/raft/messages.ts"
import type { LogView, RaftState } from "../../../src/raft/state.ts"

const orDash = (value: string | null): string => value ?? "-"

const formatEntries = (entries: ReadonlyArray<Entry>, firstIndex: number): string =>
  `[${entries.map((entry, k) => formatEntry(entry, firstIndex + k)).join(", ")}]`

export const formatStore = (store: Buckets<string>): string =>
  `{${Object.entries(bucketsFlat(store)).map(([key, value]) => `${key}=${value}`).join(", ")}}`

/** The entries from absolute index `from` on. */
const entriesFrom = (v: LogView, from: number): ReadonlyArray<Entry> => logEntries(v.log).slice(from - 1 - v.snapshot.index)

/** `+[...]` for appended entries; `-[...] +[...]` when a suffix was replaced (§5.3); past the later snapshot, when one was taken. */
const logChange = (was: LogView, is: LogView): string | undefined => {
  const first = Math.max(was.snapshot.index, is.snapshot.index) + 1
  const before = entriesFrom(was, first)
  const after = entriesFrom(is, first)
  let shared = 0
  while (shared < before.length && shared < after.length && equals(before[shared], after[shared])) shared++
  if (shared === before.length && shared === after.length) return undefined
  const removed = before.slice(shared)
  const added = after.slice(shared)
  const parts: Array<string> = []
  if (removed.length > 0) parts.push(`-${formatEntries(removed, first + shared)}`)
  if (added.length > 0) parts.push(`+${formatEntries(added, first + shared)}`)
  return `log ${parts.join(" ")}`
}

const formatSnapshot = (v: LogView): string => `${v.snapshot.term}/${v.snapshot.index}`

const changed = (name: string, before: string, after: string): ReadonlyArray<string> =>
  before === after ? [] : [`${name} ${before} -> ${after}`]

/**
 * A leader's progress is shown only while it stays leader of one term: on
 * election every peer's progress is reset, which says nothing the role line
 * does not already say.
 */
const progressChanges = (before: RaftState, after: RaftState): ReadonlyArray<string> => {
  if (before.role !== "leader" || after.role !== "leader" || before.term !== after.term) return []
  const changes: Array<string> = []
  for (const peer of Object.keys(after.progress).sort()) {
    const was = before.progress[peer]
    const is = after.progress[peer]
    if (was === undefined || is === undefined) continue
    changes.push(...changed(`${peer}.next`, `${was.next}`, `${is.next}`))
    changes.push(...changed(`${peer}.match`, `${was.match}`, `${is.match}`))
  }
  return changes
}

/** The fields an event changed, in the order Figure 2 lists them; empty when nothing a reader cares about changed. */
export const stateChanges = (before: RaftState, after: RaftState): ReadonlyArray<string> => {
  const log = logChange(before, after)
  return [
    ...changed("role", before.role, after.role),
    ...changed("term", `${before.term}`, `${after.term}`),
    ...changed("votedFor", orDash(before.votedFor), orDash(after.votedFor)),
    ...changed("leader", orDash(before.leader), orDash(after.leader)),
    ...changed("votes", `[${before.votes.join(",")}]`, `[${after.votes.join(",")}]`),
    ...changed("snapshot", formatSnapshot(before), formatSnapshot(after)),
    ...(log === undefined ? [] : [log]),
    ...changed("commit", `${before.commitIndex}`, `${after.commitIndex}`),
    ...changed("applied", `${before.lastApplied}`, `${after.lastApplied}`),
    ...changed("kv", formatStore(before.store), formatStore(after.store)),
    ...progressChanges(before, after)
  ]
}

export const liveStatus = (s: RaftState): string =>
  `${s.role} term ${s.term} vote ${orDash(s.votedFor)} leader ${orDash(s.leader)} log ${formatEntries(logEntries(s.log), s.snapshot.index + 1)} ` +
  `commit ${s.commitIndex} applied ${s.lastApplied} kv ${formatStore(s.store)}`

export const downStatus = (d: RaftDurable): string =>
  `down term ${d.term} vote ${orDash(d.votedFor)} log ${formatEntries(logEntries(d.log), d.snapshot.index + 1)}`
