import { describe, expect, it } from "vitest"
import { StateTable } from "../src/state-table.ts"

describe("StateTable", () => {
  it("stores each fingerprint once across many growths, including ones sharing a lane", () => {
    const table = new StateTable()
    const count = 200_000
    for (let i = 0; i < count; i++) {
      // Half the fingerprints share lane A with another, so lookups must compare both lanes.
      expect(table.insert(i >> 1, i, i - 1, i & 7)).toBe(i)
      if (table.crowded) table.rehash()
    }
    expect(table.size).toBe(count)
    for (let i = 0; i < count; i += 997) expect(~table.insert(i >> 1, i, 0, 0)).toBe(i)
    expect(table.size).toBe(count)
  })

  it("is one table to two views of its buffers, as to two threads, across growths by either and rehashes by one", () => {
    const first = new StateTable()
    const second = new StateTable(first.buffers)
    const count = 100_000
    for (let i = 0; i < count; i++) {
      const [writer, reader] = i % 2 === 0 ? [first, second] : [second, first]
      expect(writer.insert(i, (i ^ 0x5bd1e995) >>> 0, -1, 0)).toBeGreaterThanOrEqual(0)
      if (i % 1000 === 0) {
        // The other view finds what was just stored, though the ids and index may have grown since it last looked.
        expect(reader.insert(i, (i ^ 0x5bd1e995) >>> 0, -1, 0)).toBeLessThan(0)
      }
      // Only the first view rehashes, so the second must notice it on its own.
      if (first.crowded) first.rehash()
    }
    first.flush()
    second.flush()
    expect(first.size).toBe(count)
    for (let i = 0; i < count; i += 991) {
      const id = ~second.insert(i, (i ^ 0x5bd1e995) >>> 0, -1, 0)
      expect(id).toBeGreaterThanOrEqual(0)
      expect(~first.insert(i, (i ^ 0x5bd1e995) >>> 0, -1, 0)).toBe(id)
      expect(second.isRoot(id)).toBe(true)
    }
  })

  it("keeps its memory near sixteen bytes a state plus a half-full index", () => {
    const table = new StateTable()
    for (let i = 0; i < 1_000_000; i++) {
      table.insert(Math.imul(i, 0x9e3779b1), Math.imul(i, 0x85ebca6b) ^ 0x5bd1e995, -1, 0)
      if (table.crowded) table.rehash()
    }
    // Id arrays grow by a quarter at a time; the index doubles and stays between a quarter and half full.
    expect(table.bytes / table.size).toBeLessThan(16 * 1.25 + 16 + 1)
  })

  it("tells apart fingerprints whose slot tags agree and ones that differ only in the tag's bits", () => {
    const table = new StateTable()
    const fingerprints: Array<readonly [number, number]> = []
    // Lane A's top three bits are a slot's tag, its low bits (with lane B) pick the slot: the same low bits under each of the eight tags, and each tag under many.
    for (let tag = 0; tag < 8; tag++) {
      for (let i = 0; i < 5_000; i++) fingerprints.push([((tag << 29) | (Math.imul(i, 0x9e3779b1) & 0x1fffffff)) >>> 0, i % 3])
    }
    const ids = fingerprints.map(([a, b]) => {
      const id = table.insert(a, b, -1, 0)
      if (table.crowded) table.rehash()
      return id
    })
    const expected = fingerprints.map((_, i) => i)
    expect(ids).toEqual(expected)
    expect(fingerprints.map(([a, b]) => table.find(a, b))).toEqual(expected)
    expect(fingerprints.map(([a, b]) => ~table.insert(a, b, -1, 0))).toEqual(expected)
    expect(table.find((7 << 29) >>> 0, 1)).toBe(-1)
    const restored = StateTable.restored(table.saved())
    expect(fingerprints.map(([a, b]) => restored.find(a, b))).toEqual(expected)
  })

  it("rebuilds the path to a state from its parent links", () => {
    const table = new StateTable()
    const root = table.insert(1, 1, -1, 2)
    const child = table.insert(2, 2, root, 5)
    table.insert(3, 3, root, 6)
    const grandchild = table.insert(4, 4, child, 0)
    expect(table.pathTo(grandchild)).toEqual({ initIndex: 2, actionIndices: [5, 0] })
    expect(table.pathTo(root)).toEqual({ initIndex: 2, actionIndices: [] })
  })
})
