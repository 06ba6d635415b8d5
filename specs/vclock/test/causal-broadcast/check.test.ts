import { expectCaught, expectHolds } from "@parley/checker/testing"
import type { AnySystemSpec } from "@parley/core"
import { describe, expect, it } from "vitest"
import { causalBroadcastSpec, causalDelivery } from "../../src/index.ts"

type Lane = { readonly log?: ReadonlyArray<string> }

describe("causal broadcast, checked exhaustively", () => {
  it.each([
    // overrides, distinct states
    [{}, 23_994],
    [{ network: "ordered" }, 16_032],
    [{ broadcasts: 1, "max-messages": 0 }, 690],
    // The cluster's repair: a network that loses any message, digests that ask for what was lost (one copy in flight a link).
    [{ nodes: 2, "max-messages": 3, sync: true, lossy: true }, 38_648]
  ] as const)("%j: deliveries respect happens-before and clocks match it in all %i states", (overrides, states) => {
    expectHolds(causalBroadcastSpec, overrides, { states, reached: ["MessageWaited", "CausalChain", "ConcurrentBroadcasts"] })
  })
})

describe("causal broadcast's known bugs, each caught", () => {
  it("fifo-only: n3 delivers n2's message before the n1 message n2 had delivered when it sent it", () => {
    const { trace } = expectCaught(causalBroadcastSpec, { variant: "fifo-only" }, { property: "CausalDelivery", depth: 4 })
    expect((trace().steps.at(-1)!.lanes["n3"] as Lane).log).toEqual(["n2#1 [n1:1 n2:1]"])
  })

  it("own-counter: a reply's clock omits what it answers, so the clocks call the two concurrent", () => {
    const { trace } = expectCaught(causalBroadcastSpec, { variant: "own-counter" }, { property: "ClocksMatchHappensBefore", depth: 3 })
    expect((trace().steps.at(-1)!.lanes["n2"] as Lane).log).toEqual(["n1#1 [n1:1]", "n2#1 [n2:1]"])
  })

  it("own-counter breaks causal delivery too, once the clocks are not watched", () => {
    const adjust = (system: AnySystemSpec): AnySystemSpec => ({ ...system, properties: [causalDelivery] as AnySystemSpec["properties"] })
    expectCaught(causalBroadcastSpec, { variant: "own-counter" }, { property: "CausalDelivery", depth: 4, adjust })
  })
})
