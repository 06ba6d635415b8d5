/**
 * The event log's durable digest depends on the state alone: a digester
 * that kept its chains from the states before gives what a fresh one
 * gives, whatever a step did to the log (append, cut back, rechunk), and
 * states that differ in an entry, or only in how the entries are chunked,
 * differ. So for both digesters: version 4's, of words, and versions 2
 * and 3's, of hex texts, which `parley validate` still reads.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { durableDigester, hexDigester } from "../src/event-log-format.ts"
import type { Digester } from "../src/event-log-format.ts"

type Entry = { readonly term: number; readonly value: string }
type Durable = { readonly term: number; readonly log: ReadonlyArray<ReadonlyArray<Entry>> }

const chunk = 4

/** Appends as a reducer does: full chunks kept as they are, the last one grown into a new array. */
const append = (log: ReadonlyArray<ReadonlyArray<Entry>>, entry: Entry): ReadonlyArray<ReadonlyArray<Entry>> => {
  const last = log.at(-1)
  return last === undefined || last.length === chunk ? [...log, [entry]] : [...log.slice(0, -1), [...last, entry]]
}

/** Cuts the log back to its first `keep` entries, keeping the chunks and entries before the cut. */
const cut = (log: ReadonlyArray<ReadonlyArray<Entry>>, keep: number): ReadonlyArray<ReadonlyArray<Entry>> => {
  const whole = Math.floor(keep / chunk)
  const rest = keep % chunk
  return rest === 0 ? log.slice(0, whole) : [...log.slice(0, whole), log[whole]!.slice(0, rest)]
}

const step = fc.oneof(
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("append" as const), term: fc.integer({ min: 1, max: 3 }), value: fc.string({ maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("cut" as const), keep: fc.nat({ max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("term" as const), term: fc.integer({ min: 1, max: 5 }) }) }
)

describe.each([
  ["durableDigester (parley-events/4)", durableDigester],
  ["hexDigester (parley-events/2 and /3)", hexDigester]
] as ReadonlyArray<readonly [string, () => Digester]>)("%s", (_, digester) => {
  it("gives a state the digest a fresh digester gives it, after any steps", () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const digest = digester()
      let state: Durable = { term: 0, log: [] }
      for (const s of steps) {
        const entries = state.log.reduce((sum, c) => sum + c.length, 0)
        state = s._tag === "append"
          ? { ...state, log: append(state.log, { term: s.term, value: s.value }) }
          : s._tag === "cut"
          ? { ...state, log: cut(state.log, Math.min(s.keep, entries)) }
          : { ...state, term: s.term }
        expect(digest(state)).toBe(digester()(JSON.parse(JSON.stringify(state))))
      }
    }))
  })

  it("tells apart states that differ in one entry or only in their chunks", () => {
    const e = (value: string): Entry => ({ term: 1, value })
    const digest = (durable: Durable) => digester()(durable)
    const base = digest({ term: 1, log: [[e("a"), e("b")], [e("c")]] })
    expect(digest({ term: 1, log: [[e("a"), e("b")], [e("d")]] })).not.toBe(base)
    expect(digest({ term: 1, log: [[e("a")], [e("b"), e("c")]] })).not.toBe(base)
    expect(digest({ term: 1, log: [[e("a"), e("b"), e("c")]] })).not.toBe(base)
    expect(digest({ term: 2, log: [[e("a"), e("b")], [e("c")]] })).not.toBe(base)
  })
})

describe("durableDigester", () => {
  it("gives 16 hex digits, the same whatever the order of the state's fields, and other digits than version 3's", () => {
    const entry = { term: 1, command: { client: "c1", seq: 1, op: { _tag: "Put", key: "k", value: "v" } } }
    const state = { term: 2, votedFor: null, snapshot: { index: 0, term: 0 }, log: [[entry]] }
    const reordered = { log: [[{ command: entry.command, term: 1 }]], snapshot: { term: 0, index: 0 }, votedFor: null, term: 2 }
    const digest = durableDigester()(state)
    expect(digest).toMatch(/^[0-9a-f]{16}$/)
    expect(durableDigester()(reordered)).toBe(digest)
    expect(durableDigester()({ ...state, extra: undefined })).toBe(digest)
    expect(hexDigester()(state)).not.toBe(digest)
  })
})

describe("the digests a log holds do not drift: a log written by this build validates with the next", () => {
  const states = [
    { term: 2, votedFor: "n1", log: [[{ term: 1, value: "a" }, { term: 2, value: "b" }], [{ term: 2, value: "c" }]] },
    { term: 3, votedFor: null, log: [[{ term: 1, value: "a" }]], snapshot: { index: 4, store: { x: "1" } } },
    { term: 3, votedFor: null, log: [] },
    [1, 2, 3]
  ]
  it.each([
    ["durableDigester (parley-events/4)", durableDigester, ["bd927179985e8ab2", "d89c641da5f5e4bb", "426490d99d93350d", "cc439523f041e708"]],
    ["hexDigester (parley-events/2 and /3)", hexDigester, ["6628b0b2bd13f080", "46a34f5ff5b10f9", "d17b154dcb5b0f0a", "97624a922283a4e"]]
  ] as ReadonlyArray<readonly [string, () => Digester, ReadonlyArray<string>]>)("%s: fixed states' digests, one digester after another and fresh", (_, digester, pinned) => {
    const kept = digester()
    expect(states.map((state) => kept(state))).toEqual(pinned)
    expect(states.map((state) => digester()(state))).toEqual(pinned)
  })
})
