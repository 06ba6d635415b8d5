import { configOf, CorrectVariant, describeAllowed, optionAccepts } from "@parley/core"
import type { ConfigValue, SpecConfig, SpecDefinition, SpecOption } from "@parley/core"
import { UsageError } from "./errors.ts"

/** Spec options as the command line gave them, before they are checked against the spec. */
export type RawSpecOptions = Readonly<Record<string, string | boolean>>

const list = (names: ReadonlyArray<string>): string => names.join(", ")

export const findSpec = (
  registry: ReadonlyArray<SpecDefinition>,
  name: string
): SpecDefinition | UsageError =>
  registry.find((spec) => spec.name === name) ??
    new UsageError({ message: `unknown spec "${name}"; the specs are: ${list(registry.map((s) => s.name))}` })

/** The text the command line gave, as the option's kind reads it; `optionAccepts` then checks its range. */
const parseValue = (spec: SpecDefinition, option: SpecOption, raw: string | boolean): ConfigValue | UsageError => {
  const value = option.kind === "int"
    ? (typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : undefined)
    : raw
  return value !== undefined && optionAccepts(option, value)
    ? value
    : new UsageError({
      message: `--${option.name} for spec ${spec.name} must be ${describeAllowed(option)}, got ${JSON.stringify(raw)}`
    })
}

/**
 * The spec's full configuration: the options given, the others at their
 * defaults (those a preset among the given ones sets, such as Raft's
 * `--profile runtime`, else the declared ones: `configOf`). An option the
 * spec does not have, a value outside its range, or an unknown variant is a
 * usage error that says what is allowed.
 */
export const resolveConfig = (
  spec: SpecDefinition,
  given: RawSpecOptions,
  variant: string | undefined
): SpecConfig | UsageError => {
  const explicit: Record<string, ConfigValue> = {}
  for (const [name, raw] of Object.entries(given)) {
    const option = spec.options.find((o) => o.name === name)
    if (option === undefined) {
      const allowed = spec.options.length === 0 ? "it has none" : list(spec.options.map((o) => `--${o.name}`))
      return new UsageError({ message: `spec ${spec.name} has no option --${name}; its options: ${allowed}` })
    }
    const value = parseValue(spec, option, raw)
    if (value instanceof UsageError) return value
    explicit[name] = value
  }
  const config = configOf(spec, explicit)
  if (variant !== undefined) {
    const variants = [CorrectVariant, ...spec.variants.map((v) => v.name)]
    if (!variants.includes(variant)) {
      return new UsageError({
        message: `spec ${spec.name} has no variant "${variant}"; its variants: ${list(variants)}`
      })
    }
    config.variant = variant
  }
  return config
}

/**
 * Every spec option name across the registry, with whether it is a flag. The
 * command line declares each once; a name two specs give different kinds
 * would be ambiguous, so it is refused here.
 */
export const optionKinds = (registry: ReadonlyArray<SpecDefinition>): ReadonlyMap<string, "flag" | "value"> => {
  const kinds = new Map<string, "flag" | "value">()
  for (const spec of registry) {
    for (const option of spec.options) {
      const kind = option.kind === "flag" ? "flag" : "value"
      const earlier = kinds.get(option.name)
      if (earlier !== undefined && earlier !== kind) {
        throw new Error(`spec option --${option.name} is a flag in one spec and takes a value in another`)
      }
      kinds.set(option.name, kind)
    }
  }
  return kinds
}

/** The names of the specs that declare option `name`, for the flag's help. */
export const specsWithOption = (registry: ReadonlyArray<SpecDefinition>, name: string): ReadonlyArray<string> =>
  registry.filter((spec) => spec.options.some((o) => o.name === name)).map((spec) => spec.name)
