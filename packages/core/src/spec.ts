import type { Model } from "./model.ts"
import { NetworkSemanticsValues } from "./system.ts"
import type { NetworkSemantics, SystemSpec } from "./system.ts"
import type { ConfigValue, SpecConfig } from "./trace.ts"

/**
 * How a spec presents itself to `parley list` and `parley check`: its
 * options with their defaults and limits, its known-buggy variants, and how
 * to build the Model for one configuration.
 */
export type SpecOption =
  | {
    readonly kind: "int"
    readonly name: string
    readonly description: string
    readonly default: number
    readonly min: number
    readonly max: number
  }
  | {
    readonly kind: "choice"
    readonly name: string
    readonly description: string
    readonly default: string
    readonly choices: ReadonlyArray<string>
  }
  | {
    readonly kind: "flag"
    readonly name: string
    readonly description: string
    readonly default: boolean
  }

export interface SpecVariant {
  readonly name: string
  readonly description: string
}

export interface SpecDefinition {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<SpecOption>
  /** Known-buggy variants the checker must catch; the correct algorithm is `"correct"`. */
  readonly variants: ReadonlyArray<SpecVariant>
  /** `config` holds every option (defaults filled in) and `variant`. */
  build(config: SpecConfig): BuiltSpec
  /**
   * The URL of a module that exports this spec (by any name): a checker
   * worker thread imports it to build the model, instead of every spec there
   * is. Its imports are what the thread loads, so the lighter the better.
   */
  readonly module?: string
}

/** A spec is either a Model written directly (TLA+ style) or a cluster of actors the checker turns into one. */
export type BuiltSpec =
  | { readonly _tag: "Model"; readonly model: Model<unknown, unknown> }
  | { readonly _tag: "System"; readonly system: AnySystemSpec }

/** Erased at the registry; each spec is typed where it is built (handlers are methods, so this widening type-checks). */
export type AnySystemSpec = SystemSpec<unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown>

export const CorrectVariant = "correct"

/** The full configuration of a spec: every option at its default, the correct variant. */
export const defaultConfig = (spec: SpecDefinition): Record<string, ConfigValue> => {
  const config: Record<string, ConfigValue> = { variant: CorrectVariant }
  for (const option of spec.options) config[option.name] = option.default
  return config
}

const read = (config: SpecConfig, name: string, type: "number" | "string" | "boolean"): ConfigValue => {
  const value = config[name]
  if (typeof value !== type) throw new TypeError(`config option "${name}" is ${JSON.stringify(value)}, expected a ${type}`)
  return value as ConfigValue
}

export const configInt = (config: SpecConfig, name: string): number => read(config, name, "number") as number
export const configString = (config: SpecConfig, name: string): string => read(config, name, "string") as string
export const configFlag = (config: SpecConfig, name: string): boolean => read(config, name, "boolean") as boolean

/** The `--network` option every actor spec offers, with the spec's own default. */
export const networkOption = (defaultNetwork: NetworkSemantics): SpecOption => ({
  kind: "choice",
  name: "network",
  description: "network semantics: unordered (each message delivered at most once), duplicating, ordered (FIFO per link)",
  default: defaultNetwork,
  choices: NetworkSemanticsValues
})

export const lossyOption: SpecOption = { kind: "flag", name: "lossy", description: "the network may drop any message", default: false }

/** The configured network semantics; `spec` names the spec in the error. */
export const configNetwork = (config: SpecConfig, spec: string): NetworkSemantics => {
  const network = configString(config, "network")
  if (!(NetworkSemanticsValues as ReadonlyArray<string>).includes(network)) {
    throw new TypeError(`${spec} has no network "${network}"; the networks: ${NetworkSemanticsValues.join(", ")}`)
  }
  return network as NetworkSemantics
}

/** Checks a numeric option of a spec's builder, throwing a RangeError that names the spec, the option and its range. */
export const requireWhole = (spec: string, name: string, value: number, min: number, max: number): void => {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${spec} needs ${name} to be a whole number from ${min} to ${max}, got ${value}`)
  }
}

/** The flags of the variant named `variant`, or a TypeError that lists the variants there are. */
export const bugsOf = <B>(spec: string, variants: Readonly<Record<string, B>>, variant: string): B => {
  const bugs = variants[variant]
  if (bugs === undefined) throw new TypeError(`${spec} has no variant "${variant}"; its variants: ${Object.keys(variants).join(", ")}`)
  return bugs
}
