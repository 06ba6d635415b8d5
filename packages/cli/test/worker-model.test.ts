import { defaultConfig, fingerprint } from "@parley/core"
import { toModel } from "@parley/checker"
import { describe, expect, it } from "vitest"
import { registry } from "../src/registry.ts"
import { buildCheckModel } from "../src/worker-model.ts"

describe("the model a checker worker thread builds", () => {
  it.each(registry.map((spec) => [spec.name, spec] as const))("%s: its spec names a module that exports it, and the model built from that module is the spec's", async (name, spec) => {
    expect(spec.module, "a worker would load every spec to find this one").toBeDefined()
    const config = defaultConfig(spec)
    const fromModule = await buildCheckModel({ spec: name, config, module: spec.module! })
    const here = toModel(spec.build(config))
    expect(fromModule.init().map(fingerprint)).toEqual(here.init().map(fingerprint))
    expect(fromModule.properties.map((p) => p.name)).toEqual(here.properties.map((p) => p.name))
  })

  it("finds a spec through the registry when no module is named, and names the spec it cannot find", async () => {
    const twophase = registry.find((spec) => spec.name === "twophase")!
    const model = await buildCheckModel({ spec: "twophase", config: defaultConfig(twophase) })
    expect(model.init()).toHaveLength(1)
    await expect(buildCheckModel({ spec: "nonesuch", config: {} })).rejects.toThrow(/no spec "nonesuch" in the registry/)
    await expect(buildCheckModel({ spec: "nonesuch", config: {}, module: twophase.module! })).rejects.toThrow(/no spec "nonesuch" in file:/)
  })
})
