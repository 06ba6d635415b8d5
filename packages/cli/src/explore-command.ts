import { locationProblem, parsePath, serveExplorer } from "@parley/explore"
import type { Location, SpecCatalog } from "@parley/explore"
import type { SpecDefinition } from "@parley/core"
import { Console, Effect } from "effect"
import { UsageError } from "./errors.ts"
import { registry } from "./registry.ts"
import { findSpec, resolveConfig } from "./spec-config.ts"
import type { RawSpecOptions } from "./spec-config.ts"

export interface ExploreInput {
  readonly spec: string
  readonly specOptions: RawSpecOptions
  readonly variant: string | undefined
  readonly path: string | undefined
  readonly port: number
}

/** Options as a URL gives them (text) read as the command line does: a flag's value is `true` or `false`. */
const asCommandLine = (spec: SpecDefinition, options: Readonly<Record<string, string>>): RawSpecOptions =>
  Object.fromEntries(Object.entries(options).map(([name, text]) => {
    const flag = spec.options.find((option) => option.name === name)?.kind === "flag"
    return [name, flag && (text === "true" || text === "false") ? text === "true" : text]
  }))

/** The registry, with the command line's own checks and messages for the options a URL gives. */
export const catalog: SpecCatalog = {
  specs: registry,
  configure: (name, options) => {
    const definition = findSpec(registry, name)
    if (definition instanceof UsageError) return definition.message
    const { variant, ...rest } = options
    const config = resolveConfig(definition, asCommandLine(definition, rest), variant)
    return config instanceof UsageError ? config.message : { definition, config }
  }
}

/** The options as text, as the page's URL carries them. */
const asText = (options: RawSpecOptions): Record<string, string> =>
  Object.fromEntries(Object.entries(options).map(([name, value]) => [name, String(value)]))

/**
 * `parley explore`: the spec, options and path checked here first, with the
 * same messages as `check`, then the explorer served on loopback until
 * Ctrl-C.
 */
export const runExplore = Effect.fnUntraced(function*(input: ExploreInput) {
  if (!Number.isInteger(input.port) || input.port < 0 || input.port > 65535) {
    return yield* new UsageError({ message: `--port must be from 0 (any free port) to 65535, got ${input.port}` })
  }
  const path = parsePath(input.path ?? "")
  if (typeof path === "string") return yield* new UsageError({ message: `--path: ${path}` })
  const options = asText(input.variant === undefined ? input.specOptions : { ...input.specOptions, variant: input.variant })
  const start: Location = { spec: input.spec, options, init: 0, path }
  const problem = locationProblem(catalog, start)
  if (problem !== undefined) return yield* new UsageError({ message: problem })
  const { url } = yield* serveExplorer({ catalog, start, port: input.port }).pipe(
    Effect.mapError((error) => new UsageError({ message: `cannot serve on port ${input.port}: ${error.message}` }))
  )
  yield* Console.log(`parley explore: ${input.spec} at ${url}  (Ctrl-C stops it)`)
  return yield* Effect.never
}, Effect.scoped)
