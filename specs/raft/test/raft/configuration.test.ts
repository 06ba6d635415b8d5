/**
 * `configurationAt` reads the configuration in effect at an index by whole
 * chunks, caching each full chunk's answer (membership.ts); it must answer
 * exactly as a scan of the entries back from the index does, for logs of
 * any shape, after a snapshot, and for a log rebuilt after a truncation.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { appendToLog, emptyLog, truncateLog } from "../../src/raft/log.ts"
import { configurationAt } from "../../src/raft/membership.ts"
import type { Configuration } from "../../src/raft/membership.ts"
import { emptySnapshot } from "../../src/raft/messages.ts"
import type { Entry, RaftLog } from "../../src/raft/messages.ts"
import { entryOf, lastIndex, noBugs } from "../../src/raft/state.ts"
import type { LogView, RaftConfig } from "../../src/raft/state.ts"

const config: RaftConfig = { nodes: ["n1", "n2", "n3"], preVote: false, checkQuorum: false, maxEntriesPerAppend: 1, membership: {}, bugs: noBugs }

/** The definition: the latest entry naming members at or before `index`, else the snapshot's, else the first. */
const scanned = (v: LogView, index: number): Configuration => {
  for (let i = Math.min(index, lastIndex(v)); i > v.snapshot.index; i--) {
    const members = entryOf(v, i)!.members
    if (members !== undefined) return { index: i, members }
  }
  return { index: v.snapshot.index, members: v.snapshot.members ?? config.nodes }
}

/** An entry, naming members (its own list, so each answer says which entry it came from) when `configuration`. */
const entryOfKind = (configuration: boolean, at: number): Entry =>
  configuration ? { term: 1, command: null, members: [`m${at}`] } : { term: 1, command: null }

const logOf = (kinds: ReadonlyArray<boolean>, from: number): RaftLog => appendToLog(emptyLog, kinds.map((kind, i) => entryOfKind(kind, from + i)))

describe("configurationAt", () => {
  it("answers as a scan back from the index, at every index, whatever the log's shape and snapshot", () => {
    const kinds = fc.array(fc.integer({ min: 0, max: 9 }).map((n) => n === 0), { maxLength: 300 })
    fc.assert(fc.property(kinds, fc.nat(500), fc.boolean(), (entryKinds, snapshotIndex, snapshotNamesMembers) => {
      const snapshot = { ...emptySnapshot, index: snapshotIndex, ...(snapshotNamesMembers ? { members: ["s"] } : {}) }
      const v: LogView = { snapshot, log: logOf(entryKinds, snapshotIndex + 1) }
      // Asked twice: the second answer comes from the chunks' cache.
      for (let round = 0; round < 2; round++) {
        for (let index = 0; index <= lastIndex(v) + 2; index++) expect(configurationAt(config, v, index)).toEqual(scanned(v, index))
      }
    }), { numRuns: 200 })
  })

  it("forgets a configuration its log no longer holds after a truncation", () => {
    const kinds = Array.from({ length: 200 }, (_, i) => i === 150)
    const long = logOf(kinds, 1)
    expect(configurationAt(config, { snapshot: emptySnapshot, log: long }, 200)).toEqual({ index: 151, members: ["m151"] })
    const cut = appendToLog(truncateLog(long, 140), [entryOfKind(false, 141)])
    expect(configurationAt(config, { snapshot: emptySnapshot, log: cut }, 200)).toEqual({ index: 0, members: config.nodes })
  })
})
