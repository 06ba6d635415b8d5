import { CorrectVariant, describeAllowed } from "@parley/core"
import type { SpecDefinition, SpecOption } from "@parley/core"
import { Console, Effect } from "effect"
import { registry } from "./registry.ts"
import { specTables } from "./spec-tables.ts"

/** Rows of `name  description`, the descriptions starting in one column. */
const aligned = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(...rows.map(([name]) => name.length))
  return rows.map(([name, text]) => `    ${name.padEnd(width)}  ${text}`)
}

const optionRow = (option: SpecOption): readonly [string, string] =>
  [`--${option.name}`, `${option.description} (${describeAllowed(option)}; default ${String(option.default)})`]

export const specBlock = (spec: SpecDefinition): string =>
  [
    `${spec.name}  ${spec.description}`,
    "  options:",
    ...(spec.options.length === 0 ? ["    (none)"] : aligned(spec.options.map(optionRow))),
    "  variants:",
    ...aligned([
      [CorrectVariant, "the algorithm as published (default)"],
      ...spec.variants.map((v) => [v.name, v.description] as const)
    ])
  ].join("\n")

const specJson = (spec: SpecDefinition) => ({
  name: spec.name,
  description: spec.description,
  options: spec.options,
  variants: [CorrectVariant, ...spec.variants.map((v) => v.name)]
})

export type ListFormat = "text" | "json" | "markdown"

export const runList = (format: ListFormat) => {
  switch (format) {
    case "json":
      return Console.log(JSON.stringify(registry.map(specJson)))
    case "markdown":
      return Effect.forEach(registry, (spec) => Console.log(`### \`${spec.name}\`\n\n${specTables(spec)}\n`), { discard: true })
    case "text":
      return Effect.forEach(registry, (spec) => Console.log(specBlock(spec) + "\n"), { discard: true })
  }
}
