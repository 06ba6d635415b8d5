import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { SpecDefinition } from "@parley/core"
import { describe, expect, it } from "vitest"
import { registry } from "../src/registry.ts"
import { specTables, tableEnd, tableStart } from "../src/spec-tables.ts"

const rewrite = process.env.REWRITE === "1"

/** The README of the workspace that declares `spec`: the nearest directory above its module with a package.json. */
const readmeOf = (spec: SpecDefinition): string => {
  if (spec.module === undefined) throw new Error(`spec ${spec.name} gives no module, so its README cannot be found`)
  let dir = dirname(fileURLToPath(spec.module))
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no workspace above ${spec.module}`)
    dir = parent
  }
  return join(dir, "README.md")
}

/** The README with the spec's tables in place of the ones it has, or before its `## Commands` when it has none. */
const withTables = (readme: string, spec: SpecDefinition): string => {
  const start = readme.indexOf(tableStart(spec))
  const end = readme.indexOf(tableEnd(spec))
  if (start >= 0 && end > start) return readme.slice(0, start) + specTables(spec) + readme.slice(end + tableEnd(spec).length)
  const heading = `\n## Options and variants of \`${spec.name}\`\n\n${specTables(spec)}\n`
  const commands = readme.indexOf("\n## Commands")
  return commands >= 0 ? readme.slice(0, commands) + heading + readme.slice(commands) : readme + heading
}

describe("each spec's README carries its options and variants as its definition declares them", () => {
  it.each(registry.map((spec) => [spec.name, spec] as const))("%s", (_, spec) => {
    const path = readmeOf(spec)
    const readme = readFileSync(path, "utf8")
    const expected = withTables(readme, spec)
    if (rewrite && expected !== readme) writeFileSync(path, expected)
    else expect(readme, `${path} differs from spec ${spec.name}'s definition; REWRITE=1 npm test rewrites it`).toBe(expected)
  })
})
