import { CorrectVariant } from "@parley/core"
import type { SpecDefinition, SpecOption } from "@parley/core"
import { Console, Effect } from "effect"
import { registry } from "./registry.ts"
import { describeAllowed } from "./spec-config.ts"

const optionLine = (option: SpecOption): string =>
  `    --${option.name}  ${option.description} (${describeAllowed(option)}; default ${String(option.default)})`

const specBlock = (spec: SpecDefinition): string =>
  [
    `${spec.name}  ${spec.description}`,
    "  options:",
    ...(spec.options.length === 0 ? ["    (none)"] : spec.options.map(optionLine)),
    "  variants:",
    `    ${CorrectVariant}  the algorithm as published (default)`,
    ...spec.variants.map((v) => `    ${v.name}  ${v.description}`)
  ].join("\n")

const specJson = (spec: SpecDefinition) => ({
  name: spec.name,
  description: spec.description,
  options: spec.options,
  variants: [CorrectVariant, ...spec.variants.map((v) => v.name)]
})

export const runList = (json: boolean) =>
  json
    ? Console.log(JSON.stringify(registry.map(specJson)))
    : Effect.forEach(registry, (spec) => Console.log(specBlock(spec) + "\n"), { discard: true })
