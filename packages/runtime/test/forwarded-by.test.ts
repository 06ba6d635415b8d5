import { describe, expect, it } from "vitest"
import { ForwardedBy } from "../src/forwarding.ts"

/** A ForwardedBy on a clock the test moves. */
const records = (keepMs: number) => {
  const clock = { now: 0 }
  return { clock, forwardedBy: new ForwardedBy(keepMs, () => clock.now) }
}

describe("the way back for forwarded requests", () => {
  it("is told once: answering drops it", () => {
    const { forwardedBy } = records(1000)
    forwardedBy.note("c1", "n2")
    forwardedBy.note("c2", "n3")
    expect(forwardedBy.size()).toBe(2)
    expect(forwardedBy.take("c1")).toBe("n2")
    expect(forwardedBy.take("c1")).toBeUndefined()
    expect(forwardedBy.size()).toBe(1)
  })

  it("follows the latest node to forward a client's request", () => {
    const { forwardedBy } = records(1000)
    forwardedBy.note("c1", "n2")
    forwardedBy.note("c1", "n3")
    expect(forwardedBy.size()).toBe(1)
    expect(forwardedBy.take("c1")).toBe("n3")
  })

  it("is dropped unanswered between one and two keeping times after it was last noted", () => {
    const { clock, forwardedBy } = records(1000)
    forwardedBy.note("old", "n2")
    clock.now = 600
    forwardedBy.note("renewed", "n2")
    clock.now = 1100
    forwardedBy.note("renewed", "n3")
    expect(forwardedBy.size()).toBe(2)
    clock.now = 2200
    expect(forwardedBy.size()).toBe(1)
    expect(forwardedBy.take("old")).toBeUndefined()
    expect(forwardedBy.take("renewed")).toBe("n3")
    forwardedBy.note("idle", "n2")
    clock.now = 10_000
    expect(forwardedBy.size()).toBe(0)
  })
})
