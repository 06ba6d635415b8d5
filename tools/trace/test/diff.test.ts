import { describe, expect, it } from "vitest"
import { arrayDelta, diffLanes } from "../src/diff.ts"

describe("diffLanes", () => {
  const order = ["tm", "rm1", "rm2"]

  it.each([
    {
      name: "reports only the object fields that changed",
      before: { tm: { state: "init", prepared: [] } },
      after: { tm: { state: "init", prepared: ["rm1"] } },
      changes: [{ _tag: "Field", lane: "tm", field: "prepared", before: [], after: ["rm1"] }]
    },
    {
      name: "compares values structurally, so an equal copy is no change",
      before: { tm: { state: "init", prepared: ["rm1"] } },
      after: { tm: { prepared: ["rm1"], state: "init" } },
      changes: []
    },
    {
      name: "compares states that are not objects whole",
      before: { rm1: "working" },
      after: { rm1: "prepared" },
      changes: [{ _tag: "Whole", lane: "rm1", before: "working", after: "prepared" }]
    },
    {
      name: "reports a field that appears or disappears with undefined on the other side",
      before: { tm: { state: "init" } },
      after: { tm: { decision: "commit" } },
      changes: [
        { _tag: "Field", lane: "tm", field: "state", before: "init", after: undefined },
        { _tag: "Field", lane: "tm", field: "decision", before: undefined, after: "commit" }
      ]
    },
    {
      name: "reports a crash as the lane going down with its durable state",
      before: { rm1: { phase: "prepared", log: [1] } },
      after: { rm1: { down: true, durable: { log: [1] } } },
      changes: [{ _tag: "Down", lane: "rm1", durable: { log: [1] } }]
    },
    {
      name: "reports a restart as the lane coming up with its whole state",
      before: { rm1: { down: true, durable: { log: [1] } } },
      after: { rm1: { phase: "recovering", log: [1] } },
      changes: [{ _tag: "Up", lane: "rm1", state: { phase: "recovering", log: [1] } }]
    },
    {
      name: "lists lanes in column order, then others",
      before: { zz: 1, rm2: 1, tm: 1 },
      after: { zz: 2, rm2: 2, tm: 2 },
      changes: [
        { _tag: "Whole", lane: "tm", before: 1, after: 2 },
        { _tag: "Whole", lane: "rm2", before: 1, after: 2 },
        { _tag: "Whole", lane: "zz", before: 1, after: 2 }
      ]
    }
  ])("$name", ({ before, after, changes }) => {
    expect(diffLanes(before, after, order)).toEqual(changes)
  })
})

describe("arrayDelta", () => {
  it("gives the elements added and removed when the arrays share some", () => {
    expect(arrayDelta([{ t: "Prepared", rm: "rm1" }, { t: "Prepared", rm: "rm2" }], [{ t: "Prepared", rm: "rm1" }, {
      t: "Commit"
    }])).toEqual({ added: [{ t: "Commit" }], removed: [{ t: "Prepared", rm: "rm2" }] })
  })

  it("counts repeated elements as a multiset", () => {
    expect(arrayDelta(["a", "a"], ["a"])).toEqual({ added: [], removed: ["a"] })
  })

  it("is undefined when nothing is shared or a side is not an array", () => {
    expect(arrayDelta([], ["a"])).toBeUndefined()
    expect(arrayDelta(["a"], "a")).toBeUndefined()
  })
})
