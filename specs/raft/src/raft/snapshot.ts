/**
 * Snapshots and log compaction (Raft §7, Figure 13). Every `snapshotEvery`
 * applied entries a node takes its applied store and sessions as its
 * snapshot and drops the entries it covers, so memory and disk keep the
 * snapshot and a short tail. A leader that no longer keeps the entry a
 * follower needs next sends its snapshot instead, in chunks when it is
 * large; the follower replaces its state machine with it.
 *
 * A snapshot is taken at the start of an apply, of what earlier steps
 * applied: the entries a step applies are still in the log the step leaves
 * behind, for whoever reads the behaviour (history.ts).
 */
import { send, setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import { bucketSet, bucketsFlat, emptyBuckets } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import { dropLogPrefix, emptyLog } from "./log.ts"
import type { InstallSnapshot, Snapshot, SnapshotResult } from "./messages.ts"
import { configurationAt } from "./membership.ts"
import { termAt } from "./state.ts"
import type { IncomingSnapshot, Outbox, RaftConfig, RaftState, Session } from "./state.ts"

type InstallSnapshotMessage = typeof InstallSnapshot.Type
type SnapshotResultMessage = typeof SnapshotResult.Type

/** Whether this many entries were applied past the snapshot that a new one is due. */
export const snapshotDue = (config: RaftConfig, s: RaftState): boolean => {
  const every = config.snapshotEvery ?? 0
  return every > 0 && s.lastApplied - s.snapshot.index >= every
}

/** The applied state as the node's snapshot, and the entries it covers dropped from the log. */
export const compacted = (config: RaftConfig, s: RaftState): RaftState => {
  const members = configurationAt(config, s, s.lastApplied).members
  const snapshot: Snapshot = {
    index: s.lastApplied,
    term: termAt(s, s.lastApplied),
    store: s.store,
    sessions: s.sessions,
    ...(members === config.nodes ? {} : { members })
  }
  return { ...s, snapshot, log: dropLogPrefix(s.log, s.lastApplied - s.snapshot.index) }
}

// ---- Chunks: a snapshot cut into parts, one per bucket of its store and of its sessions.

type Part = { readonly store: Buckets<string> } | { readonly sessions: Buckets<Session> }

const keysIn = (record: object): number => {
  let count = 0
  for (const _ in record) count++
  return count
}

/** A map's parts: a small map (one record) is one; a large one, each of its buckets as a map of that bucket alone. */
const partsOf = <V>(map: Buckets<V>): ReadonlyArray<Buckets<V>> =>
  "buckets" in map
    ? Object.keys(map.buckets).map((name) => ({ size: keysIn(map.buckets[name]!), buckets: { [name]: map.buckets[name]! } }))
    : [map]

/** A rough size in bytes, as the wire's JSON would take it: enough to keep a chunk under the frame bound. */
const bytesOf = (map: Buckets<unknown>): number => {
  let bytes = 0
  const records = "buckets" in map ? Object.values(map.buckets) : [map.entries]
  for (const record of records) {
    for (const key in record) {
      const value = record[key]
      bytes += key.length + 8 + (typeof value === "string" ? value.length : 64)
    }
  }
  return bytes
}

const isEmptyFlat = (map: Buckets<unknown>): boolean => "entries" in map && keysIn(map.entries) === 0

/** Two disjoint parts of one map as one map (a snapshot's chunks are disjoint; anything else is folded in key by key). */
const joined = <V>(a: Buckets<V>, b: Buckets<V>): Buckets<V> => {
  if (isEmptyFlat(b)) return a
  if (isEmptyFlat(a)) return b
  if ("buckets" in a && "buckets" in b) return { size: a.size + b.size, buckets: { ...a.buckets, ...b.buckets } }
  let map = a
  const entries = bucketsFlat(b)
  for (const key of Object.keys(entries)) map = bucketSet(map, key, entries[key]!)
  return map
}

type Chunk = Pick<InstallSnapshotMessage, "offset" | "parts" | "total" | "store" | "sessions">

/** The chunk of `snapshot` from part `offset` on, at most `maxBytes` (but one part at least); the whole snapshot when it fits. */
export const snapshotChunk = (snapshot: Snapshot, offset: number, maxBytes: number | undefined): Chunk => {
  const whole: Chunk = { offset: 0, parts: 1, total: 1, store: snapshot.store, sessions: snapshot.sessions }
  if (maxBytes === undefined || (offset === 0 && bytesOf(snapshot.store) + bytesOf(snapshot.sessions) <= maxBytes)) return whole
  const parts: ReadonlyArray<Part> = [...partsOf(snapshot.store).map((store) => ({ store })), ...partsOf(snapshot.sessions).map((sessions) => ({ sessions }))]
  const from = Math.min(offset, parts.length - 1)
  let store: Buckets<string> = emptyBuckets
  let sessions: Buckets<Session> = emptyBuckets
  let bytes = 0
  let end = from
  while (end < parts.length) {
    const part = parts[end]!
    const partBytes = "store" in part ? bytesOf(part.store) : bytesOf(part.sessions)
    if (end > from && bytes + partBytes > maxBytes) break
    if ("store" in part) store = joined(store, part.store)
    else sessions = joined(sessions, part.sessions)
    bytes += partBytes
    end++
  }
  return { offset: from, parts: end - from, total: parts.length, store, sessions }
}

// ---- The leader.

/** Sends `peer` the next chunk of the snapshot it is sending it, or of its own; remembers a transfer of several chunks. */
export const sendSnapshot = (config: RaftConfig, s: RaftState, peer: NodeId, out: Outbox): RaftState => {
  const progress = s.progress[peer]!
  const sending = progress.sending ?? { snapshot: s.snapshot, offset: 0 }
  const chunk = snapshotChunk(sending.snapshot, sending.offset, config.snapshotChunkBytes)
  out.push(send(peer, {
    _tag: "InstallSnapshot",
    term: s.term,
    lastIncludedIndex: sending.snapshot.index,
    lastIncludedTerm: sending.snapshot.term,
    ...chunk,
    ...(sending.snapshot.members === undefined ? {} : { members: sending.snapshot.members })
  }))
  if (chunk.parts === chunk.total || progress.sending !== undefined) return s
  return { ...s, progress: { ...s.progress, [peer]: { ...progress, sending } } }
}

/** A follower took a chunk (or asks to start again): the leader sends the next. */
export const onSnapshotResult = (config: RaftConfig, s: RaftState, from: NodeId, m: SnapshotResultMessage, out: Outbox): RaftState => {
  const progress = s.progress[from]
  if (s.role !== "leader" || progress?.sending === undefined || progress.sending.snapshot.index !== m.lastIncludedIndex) return s
  const sending = { snapshot: progress.sending.snapshot, offset: m.received }
  const leader: RaftState = { ...s, progress: { ...s.progress, [from]: { ...progress, sending, active: config.checkQuorum || progress.active } } }
  return sendSnapshot(config, leader, from, out)
}

// ---- The follower.

/** What a follower holds of a snapshot after this chunk; undefined when the chunk does not follow what it holds. */
const receivedWith = (incoming: IncomingSnapshot | null, m: InstallSnapshotMessage): IncomingSnapshot | undefined => {
  if (m.offset === 0) {
    const first = { index: m.lastIncludedIndex, term: m.lastIncludedTerm, received: m.parts, store: m.store, sessions: m.sessions }
    return m.members === undefined ? first : { ...first, members: m.members }
  }
  if (incoming === null || incoming.index !== m.lastIncludedIndex || incoming.term !== m.lastIncludedTerm) return undefined
  if (m.offset < incoming.received) return incoming
  if (m.offset > incoming.received) return undefined
  return { ...incoming, received: incoming.received + m.parts, store: joined(incoming.store, m.store), sessions: joined(incoming.sessions, m.sessions) }
}

/**
 * The snapshot replaces the state machine (Figure 13, steps 6 to 8): the
 * entries after it stay if the log holds the snapshot's last entry, which
 * makes them the leader's too (Log Matching); else the whole log goes.
 * stale-snapshot: whatever the log holds, it all goes.
 */
const installed = (config: RaftConfig, s: RaftState, snapshot: Snapshot): RaftState => {
  const keepsTail = !config.bugs.staleSnapshot && termAt(s, snapshot.index) === snapshot.term
  return {
    ...s,
    snapshot,
    log: keepsTail ? dropLogPrefix(s.log, snapshot.index - s.snapshot.index) : emptyLog,
    commitIndex: snapshot.index,
    lastApplied: snapshot.index,
    store: snapshot.store,
    sessions: snapshot.sessions,
    incoming: null
  }
}

/**
 * A chunk of the leader's snapshot (the term rules applied before, as for
 * AppendEntries). A snapshot at or below the commit index tells the node
 * nothing it lacks: its log or its own snapshot already holds that prefix,
 * and it says so (etcd ignores it the same way); stale-snapshot installs it.
 */
export const onInstallSnapshot = (config: RaftConfig, s: RaftState, from: NodeId, m: InstallSnapshotMessage, out: Outbox): RaftState => {
  if (s.role === "leader") return s
  const node: RaftState = s.role === "follower" && s.leader === from ? s : { ...s, role: "follower", leader: from, votes: [] }
  out.push(setTimer("election"))
  if (m.lastIncludedIndex <= node.commitIndex && !config.bugs.staleSnapshot) {
    out.push(send(from, { _tag: "AppendResult", term: node.term, success: true, matchIndex: node.commitIndex }))
    return node.incoming === null ? node : { ...node, incoming: null }
  }
  const incoming = receivedWith(node.incoming, m)
  if (incoming === undefined || incoming.received < m.total) {
    out.push(send(from, { _tag: "SnapshotResult", term: node.term, lastIncludedIndex: m.lastIncludedIndex, received: incoming?.received ?? 0 }))
    return { ...node, incoming: incoming ?? null }
  }
  const { index, term, store, sessions, members } = incoming
  const snapshot: Snapshot = members === undefined ? { index, term, store, sessions } : { index, term, store, sessions, members }
  out.push(send(from, { _tag: "AppendResult", term: node.term, success: true, matchIndex: snapshot.index }))
  return installed(config, node, snapshot)
}
