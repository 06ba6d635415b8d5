/**
 * Snapshots on a store larger than the model's (Raft §7): the log stays
 * short however many entries are applied, a node restarts from its
 * snapshot and the log after it, and a follower too far behind gets the
 * leader's snapshot in chunks of whole buckets, each acknowledged, ending
 * with the leader's store and sessions exactly.
 */
import { equals } from "@parley/core"
import { Schema } from "effect"
import { bucketCount, bucketSet, bucketsFlat, emptyBuckets } from "@parley/kv"
import type { Buckets, KvSession } from "@parley/kv"
import { describe, expect, it } from "vitest"
import { logLength } from "../../src/raft/log.ts"
import { RaftDurable, RaftMessage } from "../../src/raft/messages.ts"
import { snapshotChunk } from "../../src/raft/snapshot.ts"
import type { Interpreter } from "./harness/commands.ts"
import { stateOf, withLeader } from "./harness/leader.ts"

const snapshotEvery = 16

/** A three-node cluster that snapshots every 16 entries and sends at most 600 bytes of a snapshot at once; n1 leads. */
const withSnapshotLeader = (): Interpreter => withLeader(`snapshot=${snapshotEvery} chunk=600`)

/** `count` Puts of distinct keys, each by its own client, delivered as they go; the longest log any up node kept meanwhile. */
const load = (interpreter: Interpreter, count: number, from = 0): number => {
  let longest = 0
  for (let i = from; i < from + count; i++) {
    interpreter.cluster.request(`c${i}`, "n1", { seq: 1, op: { _tag: "Put", key: `key-${i}`, value: `value number ${i}` } })
    interpreter.run("stabilize")
    for (const node of ["n1", "n2", "n3"]) {
      const slot = interpreter.cluster.slot(node)
      if (slot.up) longest = Math.max(longest, logLength(slot.state.log))
    }
  }
  return longest
}

/** Heartbeats until every node applied what the leader did, within a bound; the lines printed meanwhile. */
const settle = (interpreter: Interpreter): ReadonlyArray<string> => {
  const lines: Array<string> = []
  for (let round = 0; round < 50; round++) {
    lines.push(...interpreter.run("heartbeat n1"), ...interpreter.run("stabilize"))
    const applied = ["n1", "n2", "n3"].map((node) => stateOf(interpreter, node).lastApplied)
    if (applied.every((index) => index === applied[0])) return lines
  }
  throw new Error("the cluster did not settle in 50 heartbeats")
}

describe("snapshots of a bucketed store", () => {
  it("keep every log short: the snapshot and at most a snapshot's worth of entries after it", () => {
    const interpreter = withSnapshotLeader()
    const longest = load(interpreter, 200)
    settle(interpreter)
    // One entry past the threshold at most: the snapshot is taken at the next apply.
    expect(longest).toBeLessThanOrEqual(snapshotEvery + 1)
    for (const node of ["n1", "n2", "n3"]) {
      const s = stateOf(interpreter, node)
      expect(s.snapshot.index).toBeGreaterThan(200 - snapshotEvery - 1)
      expect(bucketCount(s.store)).toBe(200)
    }
  })

  it("a restarted node resumes from its snapshot, applied, and the log after it, and catches up from the leader", () => {
    const interpreter = withSnapshotLeader()
    load(interpreter, 100)
    settle(interpreter)
    const before = stateOf(interpreter, "n2")
    interpreter.run("crash n2")
    interpreter.run("restart n2")
    const restarted = stateOf(interpreter, "n2")
    expect(restarted.snapshot).toBe(before.snapshot)
    expect(restarted.log).toBe(before.log)
    expect(restarted.lastApplied).toBe(before.snapshot.index)
    expect(restarted.store).toBe(before.snapshot.store)
    settle(interpreter)
    expect(equals(stateOf(interpreter, "n2").store, stateOf(interpreter, "n1").store)).toBe(true)
  })

  it("a follower behind the leader's snapshot gets it in chunks of whole buckets and ends with the leader's store and sessions", () => {
    const interpreter = withSnapshotLeader()
    load(interpreter, 10)
    settle(interpreter)
    interpreter.run("crash n3")
    load(interpreter, 190, 10)
    interpreter.run("restart n3")
    const lines = settle(interpreter)
    const chunks = lines.filter((line) => /^n1->n3 MsgSnap .* Parts:\d+\+\d+\/\d+$/.test(line))
    const totals = new Set(chunks.map((line) => line.replace(/.*\//, "")))
    // 200 keys and 200 sessions spread over 64 buckets each: more than one 600-byte chunk, all of one snapshot.
    expect(chunks.length).toBeGreaterThan(4)
    expect(totals.size).toBe(1)
    const leader = stateOf(interpreter, "n1")
    const follower = stateOf(interpreter, "n3")
    expect(follower.snapshot.index).toBeGreaterThan(10)
    expect(follower.lastApplied).toBe(leader.lastApplied)
    expect(bucketsFlat(follower.store)).toEqual(bucketsFlat(leader.store))
    expect(bucketsFlat(follower.sessions)).toEqual(bucketsFlat(leader.sessions))
    expect(equals(follower.store, leader.store)).toBe(true)
    expect(follower.incoming).toBeNull()
    expect(leader.progress["n3"]?.sending).toBeUndefined()
  })
})

describe("a snapshot's chunks", () => {
  it("are runs of whole buckets, one after another, that together hold the snapshot exactly", () => {
    let store: Buckets<string> = emptyBuckets
    let sessions: Buckets<KvSession> = emptyBuckets
    for (let i = 0; i < 500; i++) {
      store = bucketSet(store, `key-${i}`, "v".repeat(100))
      sessions = bucketSet(sessions, `client-${i}`, { seq: 1, output: { _tag: "Written" }, at: i })
    }
    const snapshot = { index: 1000, term: 3, store, sessions }
    const chunks: Array<ReturnType<typeof snapshotChunk>> = []
    for (let offset = 0; chunks.length < 1000;) {
      const chunk = snapshotChunk(snapshot, offset, 4096)
      chunks.push(chunk)
      offset = chunk.offset + chunk.parts
      if (offset === chunk.total) break
    }
    // 64 buckets of each map, each part of the store about 900 bytes: a few parts a chunk, never one part past the bound.
    expect(chunks.length).toBeGreaterThan(10)
    expect(chunks.every((chunk) => chunk.parts >= 1 && chunk.total === 128)).toBe(true)
    expect(chunks.map((chunk) => chunk.offset)).toEqual(chunks.map((_, i) => chunks.slice(0, i).reduce((sum, c) => sum + c.parts, 0)))
    const joined = (maps: ReadonlyArray<Buckets<unknown>>) => Object.assign({}, ...maps.map((map) => bucketsFlat(map)))
    expect(joined(chunks.map((chunk) => chunk.store))).toEqual(bucketsFlat(store))
    expect(joined(chunks.map((chunk) => chunk.sessions))).toEqual(bucketsFlat(sessions))
    expect(snapshotChunk(snapshot, 0, 10_000_000)).toMatchObject({ offset: 0, parts: 1, total: 1, store, sessions })
  })
})

describe("a snapshot on disk and on the wire", () => {
  it("keeps every key as given, __proto__ and constructor included, through JSON and the Schemas", () => {
    let store: Buckets<string> = emptyBuckets
    for (const key of ["__proto__", "constructor", "hasOwnProperty", "ключ 🔑"]) store = bucketSet(store, key, `value of ${key}`)
    const snapshot = { index: 7, term: 2, store, sessions: emptyBuckets }
    const durable = Schema.decodeUnknownSync(RaftDurable)(JSON.parse(JSON.stringify({ term: 2, votedFor: null, snapshot, log: [] })))
    expect(bucketsFlat(durable.snapshot.store)).toEqual(bucketsFlat(store))
    const message = { _tag: "InstallSnapshot", term: 2, lastIncludedIndex: 7, lastIncludedTerm: 2, ...snapshotChunk(snapshot, 0, undefined) }
    const decoded = Schema.decodeUnknownSync(RaftMessage)(JSON.parse(JSON.stringify(message)))
    expect(decoded._tag === "InstallSnapshot" && bucketsFlat(decoded.store)).toEqual(bucketsFlat(store))
    expect(Object.getPrototypeOf(bucketsFlat(durable.snapshot.store))).toBe(Object.prototype)
  })

  it("is optional in a durable state saved before snapshots: the empty one", () => {
    const durable = Schema.decodeUnknownSync(RaftDurable)({ term: 3, votedFor: "n1", log: [] })
    expect(durable.snapshot).toMatchObject({ index: 0, term: 0 })
    expect(bucketCount(durable.snapshot.store)).toBe(0)
  })
})
