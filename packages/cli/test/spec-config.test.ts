import { choice, CorrectVariant, defineSpec, flag, int } from "@parley/core"
import type { BuiltSpec, SpecDefinition } from "@parley/core"
import { describe, expect, it } from "vitest"
import { UsageError } from "../src/errors.ts"
import { specBlock } from "../src/list-command.ts"
import { findSpec, optionKinds, resolveConfig } from "../src/spec-config.ts"

const toyOptions = {
  nodes: int("cluster size", { default: 3, min: 1, max: 5 }),
  network: choice("semantics", ["unordered", "ordered"], "unordered"),
  lossy: flag("drop messages")
} as const

const toyDefinition = {
  name: "toy",
  description: "a spec for testing the command line",
  correct: { buggy: false },
  variants: { buggy: { description: "a known bug", bugs: { buggy: true } } },
  build: (): BuiltSpec => {
    throw new Error("not built in these tests")
  }
}

const toy = defineSpec({ ...toyDefinition, options: toyOptions })

const messageOf = (value: unknown): string => {
  expect(value).toBeInstanceOf(UsageError)
  return (value as UsageError).message
}

describe("resolveConfig", () => {
  it("fills every option's default and the correct variant", () => {
    expect(resolveConfig(toy, {}, undefined)).toEqual({
      variant: CorrectVariant,
      nodes: 3,
      network: "unordered",
      lossy: false
    })
  })

  it("parses given options by kind", () => {
    expect(resolveConfig(toy, { nodes: "5", network: "ordered", lossy: true }, "buggy")).toEqual({
      variant: "buggy",
      nodes: 5,
      network: "ordered",
      lossy: true
    })
  })

  it.each([
    [{ rms: "3" }, undefined, "spec toy has no option --rms; its options: --nodes, --network, --lossy"],
    [{ nodes: "6" }, undefined, "--nodes for spec toy must be an integer from 1 to 5, got \"6\""],
    [{ nodes: "2.5" }, undefined, "--nodes for spec toy must be an integer from 1 to 5, got \"2.5\""],
    [{ network: "lossy" }, undefined, "--network for spec toy must be one of unordered, ordered, got \"lossy\""],
    [{}, "nope", "spec toy has no variant \"nope\"; its variants: correct, buggy"]
  ])("refuses %j with variant %s, naming the problem and what is allowed", (given, variant, message) => {
    expect(messageOf(resolveConfig(toy, given, variant))).toBe(message)
  })
})

describe("findSpec", () => {
  it("names an unknown spec and lists the known ones", () => {
    expect(findSpec([toy], "toy")).toBe(toy)
    expect(messageOf(findSpec([toy], "raft"))).toBe("unknown spec \"raft\"; the specs are: toy")
  })
})

describe("optionKinds", () => {
  it("refuses an option name that is a flag in one spec and takes a value in another", () => {
    const clash: SpecDefinition = { ...toy, name: "clash", options: [{ kind: "flag", name: "nodes", description: "", default: false }] }
    expect(() => optionKinds([toy, clash])).toThrow(/--nodes is a flag in one spec/)
    expect([...optionKinds([toy])]).toEqual([["nodes", "value"], ["network", "value"], ["lossy", "flag"]])
  })
})

describe("an option added to a spec's definition", () => {
  // The one line a contributor writes: everything below follows from it.
  const grown = defineSpec({ ...toyDefinition, options: { ...toyOptions, maxInFlight: int("messages in flight", { default: 0, min: 0, max: 9 }) } })

  it("becomes a command-line flag, in parley list, and checked with its range", () => {
    expect([...optionKinds([grown]).keys()]).toContain("max-in-flight")
    expect(specBlock(grown)).toMatch(/--max-in-flight\s+messages in flight \(an integer from 0 to 9; default 0\)/)
    expect(resolveConfig(grown, { "max-in-flight": "4" }, undefined)).toMatchObject({ "max-in-flight": 4 })
    expect(messageOf(resolveConfig(grown, { "max-in-flight": "10" }, undefined))).toBe(
      "--max-in-flight for spec toy must be an integer from 0 to 9, got \"10\""
    )
    expect(messageOf(resolveConfig(toy, { "max-in-flight": "4" }, undefined))).toMatch(/spec toy has no option --max-in-flight/)
  })
})
