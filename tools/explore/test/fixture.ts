import { CorrectVariant, defaultConfig } from "@parley/core"
import type { ConfigValue, SpecDefinition } from "@parley/core"
import { lockSpec } from "@parley/lock"
import { raftSpec } from "@parley/raft"
import { twoPhaseCommitSpec, twoPhaseSpec } from "@parley/twophase"
import type { SpecCatalog } from "../src/catalog.ts"

const specs: ReadonlyArray<SpecDefinition> = [twoPhaseSpec, twoPhaseCommitSpec, raftSpec, lockSpec]

/** Text as an option's kind reads it; the spec's own build refuses what is out of range (the CLI's `resolveConfig` does it before, with its own words). */
const valueOf = (kind: string, text: string): ConfigValue => kind === "int" ? Number(text) : kind === "flag" ? text === "true" : text

/** The catalog `parley explore` passes, over four specs, without the command line's messages. */
export const testCatalog: SpecCatalog = {
  specs,
  configure: (name, options) => {
    const definition = specs.find((spec) => spec.name === name)
    if (definition === undefined) return `unknown spec "${name}"`
    const config = defaultConfig(definition)
    for (const [key, text] of Object.entries(options)) {
      const option = definition.options.find((o) => o.name === key)
      if (key === "variant") config.variant = text
      else if (option === undefined) return `spec ${name} has no option --${key}`
      else config[key] = valueOf(option.kind, text)
    }
    config.variant ??= CorrectVariant
    return { definition, config }
  }
}
