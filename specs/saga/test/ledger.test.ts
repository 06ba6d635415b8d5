import { describe, expect, it } from "vitest"
import { allCompensated, allDone, compensatedInReverse, eachEffectOnce, ledgerEntry } from "../src/ledger.ts"
import type { Ledger } from "../src/ledger.ts"

/** Three services' ledgers from a shorthand: `"do 1, undo 1"` for inventory, and so on. */
const ledgers = (...specs: ReadonlyArray<string>): ReadonlyArray<Ledger> =>
  specs.map((spec, i) =>
    spec === "" ? [] : spec.split(", ").map((e) => {
      const [op, step] = e.split(" ") as ["do" | "undo", string]
      if (Number(step) !== i + 1) throw new Error(`ledger ${i + 1} holds only its own step`)
      return ledgerEntry("order-1", i + 1, op, `order-1:${op}${step}`)
    }))

describe("the saga's promises over the services' ledgers", () => {
  it.each([
    // inventory, payment, shipping, all done, all compensated, in reverse
    ["do 1", "do 2", "do 3", true, false, true],
    ["", "", "", false, true, true],
    ["do 1, undo 1", "", "", false, true, true],
    ["do 1, undo 1", "do 2, undo 2", "", false, true, true],
    ["do 1", "do 2, undo 2", "", false, false, true],
    // C1 took effect while T2 stands: compensated out of order (or T2 came late)
    ["do 1, undo 1", "do 2", "", false, false, false],
    ["do 1, undo 1", "do 2, undo 2", "do 3", false, false, false]
  ] as const)("%s | %s | %s: all done %s, all compensated %s, in reverse order %s", (a, b, c, done, compensated, reverse) => {
    const l = ledgers(a, b, c)
    expect(allDone(l, 3)).toBe(done)
    expect(allCompensated(l, 3)).toBe(compensated)
    expect(compensatedInReverse(l, 3)).toBe(reverse)
  })

  it("an effect applied twice under one key breaks at-most-once; different keys do not", () => {
    expect(eachEffectOnce(ledgers("do 1", "do 2, undo 2", ""))).toBe(true)
    expect(eachEffectOnce(ledgers("do 1", "do 2, do 2", ""))).toBe(false)
  })
})
