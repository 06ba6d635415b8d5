import { equals, fingerprint } from "@parley/core"
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { appendToLog, emptyLog, entryAt, isLogShape, logEntries, logLength, LogChunk, logOfEntries, logSlice, truncateLog } from "../../src/raft/log.ts"
import type { Entry, RaftLog } from "../../src/raft/messages.ts"
import { RaftDurable } from "../../src/raft/messages.ts"

const entries = (from: number, count: number, term = 1): Array<Entry> =>
  Array.from({ length: count }, (_, i) => ({ term, command: { client: "c1", seq: from + i, op: { _tag: "Get", key: "x" } } }))

describe("RaftLog", () => {
  it("appends across chunk boundaries and reads every entry back by its index", () => {
    let log: RaftLog = emptyLog
    const all = entries(1, 3 * LogChunk + 5)
    for (let i = 0; i < all.length; i += 7) log = appendToLog(log, all.slice(i, i + 7))
    expect(logLength(log)).toBe(all.length)
    expect(log.map((chunk) => chunk.length)).toEqual([LogChunk, LogChunk, LogChunk, 5])
    for (let index = 1; index <= all.length; index++) expect(entryAt(log, index)).toBe(all[index - 1])
    expect([entryAt(log, 0), entryAt(log, all.length + 1)]).toEqual([undefined, undefined])
    expect(logEntries(log)).toEqual(all)
    expect(logSlice(log, LogChunk - 1, LogChunk + 1)).toEqual(all.slice(LogChunk - 2, LogChunk + 1))
    expect(logSlice(log, all.length - 1, all.length + 10)).toEqual(all.slice(-2))
  })

  it("is the same data, with the same fingerprint, however the entries came", () => {
    const all = entries(1, 2 * LogChunk + 3)
    const oneByOne = all.reduce<RaftLog>((log, entry) => appendToLog(log, [entry]), emptyLog)
    const replaced = appendToLog(truncateLog(appendToLog(logOfEntries(all.slice(0, 100)), entries(500, 40, 2)), 100), all.slice(100))
    expect(equals(oneByOne, logOfEntries(all))).toBe(true)
    expect(fingerprint(replaced)).toBe(fingerprint(oneByOne))
  })

  it("truncates to a chunk boundary, inside a chunk, to nothing, and leaves the log it came from as it was", () => {
    const log = logOfEntries(entries(1, 2 * LogChunk + 10))
    expect(logLength(truncateLog(log, LogChunk))).toBe(LogChunk)
    expect(truncateLog(log, LogChunk + 3).map((chunk) => chunk.length)).toEqual([LogChunk, 3])
    expect(truncateLog(log, 0)).toEqual([])
    expect(truncateLog(log, 1000)).toBe(log)
    expect(logLength(log)).toBe(2 * LogChunk + 10)
  })

  it("is refused on disk when its chunks do not have the log's shape", () => {
    const decode = Schema.decodeUnknownResult(RaftDurable)
    const durable = (log: ReadonlyArray<ReadonlyArray<Entry>>) => ({ term: 1, votedFor: null, log })
    expect(isLogShape(logOfEntries(entries(1, LogChunk + 1)))).toBe(true)
    expect(Result.isSuccess(decode(durable(logOfEntries(entries(1, LogChunk + 1)))))).toBe(true)
    const short = decode(durable([entries(1, 3), entries(4, 1)]))
    expect(Result.isFailure(short) && short.failure.message).toContain(`chunks hold ${LogChunk} entries each`)
    expect(Result.isFailure(decode(durable([[]])))).toBe(true)
  })
})
