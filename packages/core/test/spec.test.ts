import { describe, expect, it } from "vitest"
import { choice, configOf, CorrectVariant, defaultConfig, defineSpec, flag, int } from "../src/index.ts"
import type { OptionsOf } from "../src/index.ts"

const toyOptions = {
  nodes: int("cluster size", { default: 3, min: 1, max: 5 }),
  maxInFlight: int("messages in flight", { default: 0, min: 0, max: 9 }),
  network: choice("semantics", ["unordered", "ordered"], "ordered"),
  lossy: flag("drop messages")
} as const

const built: Array<{ readonly options: OptionsOf<typeof toyOptions>; readonly bugs: { readonly early: boolean; readonly late: boolean }; readonly variant: string }> = []

const toy = defineSpec({
  name: "toy",
  description: "a spec declared once",
  options: toyOptions,
  correct: { early: false, late: false },
  variants: {
    early: { description: "decides early", bugs: { early: true } },
    both: { description: "decides early and late", bugs: { early: true, late: true } }
  },
  build: (options, bugs, variant) => {
    built.push({ options, bugs, variant })
    return { _tag: "Model", model: { init: () => [], actions: () => [], next: () => undefined, properties: [], describe: () => "" } as never }
  }
})

describe("defineSpec", () => {
  it("derives each option's flag name from its key, in the declared order, with its kind, range and default", () => {
    expect(toy.options).toEqual([
      { kind: "int", name: "nodes", description: "cluster size", default: 3, min: 1, max: 5 },
      { kind: "int", name: "max-in-flight", description: "messages in flight", default: 0, min: 0, max: 9 },
      { kind: "choice", name: "network", description: "semantics", default: "ordered", choices: ["unordered", "ordered"] },
      { kind: "flag", name: "lossy", description: "drop messages", default: false }
    ])
    expect(toy.variants).toEqual([{ name: "early", description: "decides early" }, { name: "both", description: "decides early and late" }])
    expect(toy.defaults).toEqual({ nodes: 3, maxInFlight: 0, network: "ordered", lossy: false })
  })

  it("builds from a configuration of command-line names, with the variant's flags over the correct ones", () => {
    built.length = 0
    toy.build({ nodes: 4, "max-in-flight": 2, network: "unordered", lossy: true, variant: "early" })
    expect(built).toEqual([
      { options: { nodes: 4, maxInFlight: 2, network: "unordered", lossy: true }, bugs: { early: true, late: false }, variant: "early" }
    ])
    toy.buildWith({ nodes: 1 })
    expect(built[1]).toEqual({ options: { ...toy.defaults, nodes: 1 }, bugs: { early: false, late: false }, variant: CorrectVariant })
  })

  it.each([
    [{ nodes: 6 }, "toy needs nodes to be an integer from 1 to 5, got 6"],
    [{ nodes: 2.5 }, "toy needs nodes to be an integer from 1 to 5, got 2.5"],
    [{ "max-in-flight": "2" }, "toy needs max-in-flight to be an integer from 0 to 9, got \"2\""],
    [{ network: "lossy" }, "toy needs network to be one of unordered, ordered, got \"lossy\""],
    [{ lossy: 1 }, "toy needs lossy to be a flag without a value, got 1"]
  ])("refuses %j, naming the option and what it takes", (given, message) => {
    const config = { nodes: 3, "max-in-flight": 0, network: "ordered", lossy: false, variant: CorrectVariant, ...given }
    expect(() => toy.build(config)).toThrow(new RangeError(message))
  })

  it("refuses an unknown variant, listing the variants there are", () => {
    expect(() => toy.bugsOf("late")).toThrow(new TypeError("toy has no variant \"late\"; its variants: correct, early, both"))
    expect(toy.bugsOf("both")).toEqual({ early: true, late: true })
  })

  it("takes a preset's defaults for the options not given, and every option given explicitly over it, its declared default too", () => {
    const preset = defineSpec({
      name: "preset",
      description: "a spec with a profile",
      options: { ...toyOptions, profile: choice("profile", ["plain", "lossy"], "plain") },
      correct: {},
      variants: {},
      presets: (given) => (given.profile === "lossy" ? { lossy: true, nodes: 5 } : {}),
      build: () => ({ _tag: "Model", model: { init: () => [], actions: () => [], next: () => undefined, properties: [], describe: () => "" } as never })
    })
    expect(configOf(preset, { profile: "lossy" })).toEqual({ ...defaultConfig(preset), profile: "lossy", lossy: true, nodes: 5 })
    expect(configOf(preset, { profile: "lossy", nodes: 3, variant: "correct" })).toMatchObject({ nodes: 3, lossy: true })
    expect(configOf(preset, {})).toEqual(defaultConfig(preset))
    expect(preset.resolve({ profile: "lossy", lossy: false })).toMatchObject({ nodes: 5, lossy: false })
    // A spec without presets: its defaults overridden by what is given.
    expect(configOf(toy, { nodes: 2 })).toEqual({ ...defaultConfig(toy), nodes: 2 })
  })
})
