import type { StateCodec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { Level } from "../src/level.ts"

interface Pair {
  readonly left: number
  readonly right: number
}

const pairs: StateCodec<Pair> = {
  words: 2,
  encode: (state, out, at) => {
    out[at] = state.left
    out[at + 1] = state.right
  },
  decode: (words, at) => ({ left: words[at]!, right: words[at + 1]! })
}

const pairAt = (i: number): Pair => ({ left: i, right: i * 3 + 1 })

describe("Level", () => {
  it("keeps states as words through many growths and gives each back with its id", () => {
    const level = new Level(pairs)
    for (let i = 0; i < 10_000; i++) level.push(pairAt(i), 100 + i)
    expect(level.size).toBe(10_000)
    for (let i = 0; i < 10_000; i += 37) {
      expect(level.stateAt(i)).toEqual(pairAt(i))
      expect(level.idAt(i)).toBe(100 + i)
    }
    expect(level.bytes).toBeGreaterThanOrEqual(10_000 * 12)
  })

  it("takes words the caller encoded already", () => {
    const level = new Level(pairs)
    level.push({ left: 0, right: 0 }, 7, 0, Uint32Array.of(5, 6))
    expect(level.stateAt(0)).toEqual({ left: 5, right: 6 })
  })

  it("keeps live states without a codec, and empties for reuse", () => {
    const level = new Level<Pair>(undefined)
    const state = pairAt(3)
    level.push(state, 1)
    expect(level.stateAt(0)).toBe(state)
    expect(level.idsFrom(0)).toEqual([1])
    level.clear()
    expect(level.size).toBe(0)
    level.push(pairAt(4), 2)
    expect(level.stateAt(0)).toEqual(pairAt(4))
  })

  it("is read through shared buffers by another view, as another thread would, even after it grew", () => {
    const shared = Level.sharedBuffers(pairs as StateCodec<unknown>)
    const writer = new Level(pairs, shared)
    const reader = new Level(pairs, shared)
    for (let i = 0; i < 5000; i++) writer.push(pairAt(i), i)
    reader.filledTo(writer.size)
    expect(reader.stateAt(4999)).toEqual(pairAt(4999))
    expect(reader.idsFrom(4998)).toEqual([4998, 4999])
  })

  it("rebuilds from their ids the states another thread kept live, and says when it cannot", () => {
    const shared = Level.sharedBuffers(undefined)
    const writer = new Level<Pair>(undefined, shared)
    writer.push(pairAt(2), 2)
    writer.push(pairAt(9), 9)
    const reader = new Level<Pair>(undefined, shared, pairAt)
    reader.filledTo(writer.size)
    expect(reader.stateAt(1)).toEqual(pairAt(9))
    const blind = new Level<Pair>(undefined, shared)
    blind.filledTo(writer.size)
    expect(() => blind.stateAt(0)).toThrow(/needs a way to rebuild/)
  })
})
