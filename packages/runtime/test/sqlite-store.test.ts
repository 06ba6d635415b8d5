import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { openSqliteStore } from "../src/sqlite-store.ts"
import { tempDirs } from "./temp-dirs.ts"

const freshDir = tempDirs("parley-store-")
const freshPath = () => join(freshDir(), "n1.sqlite")

const entry = (term: number, value: string) => ({ term, command: { client: "c1", seq: 1, op: { _tag: "Put", key: "k", value } } })

const reopened = (path: string) => {
  const store = openSqliteStore(path)
  const value = store.load()
  store.close()
  return value
}

describe("the sqlite store", () => {
  it("has nothing on a first start", () => {
    expect(reopened(freshPath())).toBeUndefined()
  })

  it("brings back after reopening what was saved: appends, a cut-back tail regrown, and scalar fields", () => {
    const path = freshPath()
    const store = openSqliteStore(path)
    const a = entry(1, "a")
    const b = entry(1, "b")
    store.save({ term: 1, votedFor: "n1", log: [a] })
    store.save({ term: 1, votedFor: "n1", log: [a, b] })
    expect(reopened(path)).toEqual({ term: 1, votedFor: "n1", log: [a, b] })
    // A new leader overwrites the uncommitted `b` with its own entries (Raft §5.3).
    const c = entry(2, "c")
    const d = entry(2, "d")
    store.save({ term: 2, votedFor: null, log: [a, c, d] })
    expect(reopened(path)).toEqual({ term: 2, votedFor: null, log: [a, c, d] })
    store.save({ term: 3, votedFor: "n2", log: [a] })
    expect(reopened(path)).toEqual({ term: 3, votedFor: "n2", log: [a] })
    store.close()
  })

  it("keeps a string that looks like an array marker as a string", () => {
    const path = freshPath()
    const store = openSqliteStore(path)
    store.save({ note: "array", items: [] })
    store.close()
    expect(reopened(path)).toEqual({ note: "array", items: [] })
  })

  it("keeps an array of arrays (a log in chunks) an item a row: appends, a chunk cut back and regrown, empty chunks, and a change of shape", () => {
    const path = freshPath()
    const store = openSqliteStore(path)
    const [a, b, c, d] = [entry(1, "a"), entry(1, "b"), entry(2, "c"), entry(2, "d")]
    const first = [a, b]
    store.save({ term: 1, log: [first] })
    store.save({ term: 1, log: [first, [c]] })
    store.save({ term: 2, log: [first, [c, d]] })
    expect(reopened(path)).toEqual({ term: 2, log: [[a, b], [c, d]] })
    // A conflict cuts the last chunk back and regrows it; a chunk may be empty.
    store.save({ term: 3, log: [first, [c]] })
    expect(reopened(path)).toEqual({ term: 3, log: [[a, b], [c]] })
    store.save({ term: 3, log: [[a], []] })
    expect(reopened(path)).toEqual({ term: 3, log: [[a], []] })
    // From chunks to plain items and back, as a log emptied by a snapshot and refilled.
    store.save({ term: 3, log: [] })
    expect(reopened(path)).toEqual({ term: 3, log: [] })
    store.save({ term: 3, log: [[d]] })
    expect(reopened(path)).toEqual({ term: 3, log: [[d]] })
    store.save({ term: 3, log: "gone" })
    expect(reopened(path)).toEqual({ term: 3, log: "gone" })
    store.close()
  })

  it("resumes a log in chunks from what it loaded, writing only the appended items", () => {
    const path = freshPath()
    const first = openSqliteStore(path)
    first.save({ log: [[entry(1, "a"), entry(1, "b")]] })
    first.close()
    const second = openSqliteStore(path)
    const loaded = second.load()!
    second.remember(loaded)
    const [chunk] = loaded["log"] as ReadonlyArray<ReadonlyArray<unknown>>
    second.save({ log: [[...chunk!, entry(1, "c")], [entry(2, "d")]] })
    second.close()
    expect(reopened(path)).toEqual({ log: [[entry(1, "a"), entry(1, "b"), entry(1, "c")], [entry(2, "d")]] })
  })

  it("diffs against the state it loaded, so a resumed node writes only what is new", () => {
    const path = freshPath()
    const first = openSqliteStore(path)
    first.save({ term: 1, log: [entry(1, "a")] })
    first.close()
    const second = openSqliteStore(path)
    const loaded = second.load()!
    second.remember(loaded)
    const log = loaded["log"] as ReadonlyArray<unknown>
    second.save({ term: 1, log: [...log, entry(1, "b")] })
    second.close()
    expect(reopened(path)).toEqual({ term: 1, log: [entry(1, "a"), entry(1, "b")] })
  })
})
