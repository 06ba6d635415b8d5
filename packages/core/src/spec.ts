import type { Model } from "./model.ts"
import { NetworkSemanticsValues } from "./system.ts"
import type { NetworkSemantics, SystemSpec } from "./system.ts"
import type { ConfigValue, SpecConfig } from "./trace.ts"

/**
 * How a spec presents itself to `parley list` and `parley check`: its
 * options with their defaults and limits, its known-buggy variants, and how
 * to build the Model for one configuration. A spec writes none of this by
 * hand: `defineSpec` derives it from one declaration.
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
  /** `config` holds every option (defaults filled in) and `variant`; a value that does not fit throws a RangeError naming it. */
  build(config: SpecConfig): BuiltSpec
  /**
   * The configuration a check of `config` explores, where a preset (Raft's
   * `--profile runtime`) set options in place of the given ones; `config`
   * itself for a spec without presets. For reports: `build` takes `config`.
   */
  effective(config: SpecConfig): SpecConfig
  /**
   * The full configuration for the options given by their command-line
   * names (and `variant`): each given one as given, every other at the
   * default a preset among the given ones sets (Raft's `--profile
   * runtime`), else at its declared default. An option given explicitly
   * wins over a preset, whatever its value. See `configOf`.
   */
  configFor?(given: Readonly<Record<string, ConfigValue>>): SpecConfig
  /**
   * The URL of a module that exports this spec (by any name): a checker
   * worker thread imports it to build the model, instead of every spec there
   * is. Its imports are what the thread loads, so the lighter the better.
   */
  readonly module?: string
  /**
   * Whether `parley check` reduces this spec by sleep sets when given neither
   * `--por` nor `--no-por`: where `npm run bench:por` measured that they take
   * no more time than they save (see docs/commands/check.md). Off when absent.
   */
  readonly partialOrderByDefault?: boolean
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

/** The full configuration for the options given: the spec's `configFor`, or its defaults overridden by them. */
export const configOf = (spec: SpecDefinition, given: Readonly<Record<string, ConfigValue>>): Record<string, ConfigValue> =>
  spec.configFor === undefined ? { ...defaultConfig(spec), ...given } : { ...spec.configFor(given) }

/** What values an option takes, as a usage message says it: "an integer from 1 to 7". */
export const describeAllowed = (option: SpecOption): string => {
  switch (option.kind) {
    case "int":
      return `an integer from ${option.min} to ${option.max}`
    case "choice":
      return `one of ${option.choices.join(", ")}`
    case "flag":
      return "a flag without a value"
  }
}

/** Whether `value` is one the option takes: the one rule the CLI, `defineSpec` and tests share. */
export const optionAccepts = (option: SpecOption, value: unknown): boolean => {
  switch (option.kind) {
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= option.min && value <= option.max
    case "choice":
      return typeof value === "string" && option.choices.includes(value)
    case "flag":
      return typeof value === "boolean"
  }
}

// ---------------------------------------------------------------------------
// Declaring a spec once

/** An option as a spec declares it: everything but its name, which is the key it is declared under. */
export type OptionDecl =
  | Omit<Extract<SpecOption, { kind: "int" }>, "name">
  | (Omit<Extract<SpecOption, { kind: "choice" }>, "name"> & { readonly choices: ReadonlyArray<string> })
  | Omit<Extract<SpecOption, { kind: "flag" }>, "name">

export const int = (description: string, range: { readonly default: number; readonly min: number; readonly max: number }) =>
  ({ kind: "int", description, ...range }) as const

export const choice = <C extends string>(description: string, choices: ReadonlyArray<C>, defaultChoice: NoInfer<C>) =>
  ({ kind: "choice", description, choices, default: defaultChoice }) as const

export const flag = (description: string, defaultValue = false) => ({ kind: "flag", description, default: defaultValue }) as const

/** The `--network` option every actor spec offers, with the spec's own default. */
export const networkChoice = (defaultNetwork: NetworkSemantics) =>
  choice(
    "network semantics: unordered (each message delivered at most once), duplicating, ordered (FIFO per link)",
    NetworkSemanticsValues,
    defaultNetwork
  )

export const lossyFlag = flag("the network may drop any message")

type OptionTable = Readonly<Record<string, OptionDecl>>

type ValueOf<D> = D extends { readonly kind: "int" } ? number
  : D extends { readonly kind: "choice"; readonly choices: ReadonlyArray<infer C> } ? C
  : boolean

/** The typed options a declaration gives: `maxTerm: number` for `maxTerm: int(...)`. */
export type OptionsOf<R extends OptionTable> = { readonly [K in keyof R]: ValueOf<R[K]> }

/** The command-line name of an option key: `maxInFlight` is `--max-in-flight`. */
export const optionName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

export interface VariantDecl<B> {
  readonly description: string
  /** The flags this variant turns on, over the correct algorithm's. */
  readonly bugs: Partial<B>
}

export interface SpecDecl<R extends OptionTable, V extends string, B extends object> {
  readonly name: string
  readonly description: string
  /** `import.meta.url` of the declaring module (see `SpecDefinition.module`). */
  readonly module?: string
  /** Each option once, under its camelCase key; its flag is the kebab-case of the key. */
  readonly options: R
  /** The correct algorithm's bug flags: the variant named `correct`. */
  readonly correct: B
  readonly variants: { readonly [K in V]: VariantDecl<B> }
  build(options: OptionsOf<R>, bugs: B, variant: V | typeof CorrectVariant): BuiltSpec
  /** The options a preset among them sets in place of the given ones (see `SpecDefinition.effective`). */
  readonly effective?: (options: OptionsOf<R>) => Partial<OptionsOf<R>>
  /** The defaults a preset among the given options sets in place of the declared ones; options given explicitly win (see `SpecDefinition.configFor`). */
  readonly presets?: (given: Partial<OptionsOf<R>>) => Partial<OptionsOf<R>>
  /** See `SpecDefinition.partialOrderByDefault`. */
  readonly partialOrderByDefault?: boolean
}

/** A spec as `defineSpec` gives it: what the registry lists, plus typed access for tests and the spec's own code. */
export interface DefinedSpec<R extends OptionTable, V extends string, B extends object> extends SpecDefinition {
  readonly defaults: OptionsOf<R>
  /** The defaults overridden by `given`, each checked against its declaration. */
  resolve(given?: Partial<OptionsOf<R>>): OptionsOf<R>
  /** The flags of a variant, or a TypeError listing the variants there are. */
  bugsOf(variant: string): B
  /** The typed options of a configuration of command-line names (a trace's, a checkpoint's), defaults and presets filled in; a RangeError for a value that does not fit. */
  optionsIn(config: SpecConfig): OptionsOf<R>
  /** Built from typed options rather than a configuration of command-line names. */
  buildWith(given?: Partial<OptionsOf<R>>, variant?: V | typeof CorrectVariant): BuiltSpec
}

const refusal = (spec: string, option: SpecOption, value: unknown): RangeError =>
  new RangeError(`${spec} needs ${option.name} to be ${describeAllowed(option)}, got ${JSON.stringify(value)}`)

export const defineSpec = <const R extends OptionTable, V extends string, B extends object>(
  decl: SpecDecl<R, V, B>
): DefinedSpec<R, V, B> => {
  const keys = Object.keys(decl.options)
  const options: ReadonlyArray<SpecOption> = keys.map((key) => ({ ...decl.options[key]!, name: optionName(key) }) as SpecOption)
  const variantNames: ReadonlyArray<V> = Object.keys(decl.variants).filter((name): name is V => name in decl.variants)
  const defaults = Object.fromEntries(keys.map((key) => [key, decl.options[key]!.default])) as OptionsOf<R>

  const resolve = (given: Partial<OptionsOf<R>> = {}): OptionsOf<R> => {
    const resolved = { ...defaults, ...decl.presets?.(given), ...given }
    keys.forEach((key, i) => {
      const value = (resolved as Record<string, unknown>)[key]
      if (!optionAccepts(options[i]!, value)) throw refusal(decl.name, options[i]!, value)
    })
    return resolved
  }
  const bugsOf = (variant: string): B => {
    if (variant === CorrectVariant) return decl.correct
    if (!(variantNames as ReadonlyArray<string>).includes(variant)) {
      throw new TypeError(`${decl.name} has no variant "${variant}"; its variants: ${[CorrectVariant, ...variantNames].join(", ")}`)
    }
    return { ...decl.correct, ...decl.variants[variant as V].bugs }
  }
  const givenIn = (config: SpecConfig): Partial<OptionsOf<R>> =>
    Object.fromEntries(keys.flatMap((key, i) => (options[i]!.name in config ? [[key, config[options[i]!.name]]] : []))) as Partial<OptionsOf<R>>
  const buildWith = (given?: Partial<OptionsOf<R>>, variant: V | typeof CorrectVariant = CorrectVariant): BuiltSpec =>
    decl.build(resolve(given), bugsOf(variant), variant)

  return {
    name: decl.name,
    description: decl.description,
    ...(decl.module === undefined ? {} : { module: decl.module }),
    ...(decl.partialOrderByDefault === undefined ? {} : { partialOrderByDefault: decl.partialOrderByDefault }),
    options,
    variants: variantNames.map((name) => ({ name, description: decl.variants[name].description })),
    defaults,
    resolve,
    bugsOf,
    buildWith,
    optionsIn: (config) => resolve(givenIn(config)),
    build: (config) => {
      const variant = config.variant ?? CorrectVariant
      if (typeof variant !== "string") throw new TypeError(`${decl.name} needs variant to be a string, got ${JSON.stringify(variant)}`)
      return buildWith(givenIn(config), variant as V)
    },
    configFor: (given) => {
      const resolved: Readonly<Record<string, unknown>> = resolve(givenIn(given))
      const named = keys.map((key, i) => [options[i]!.name, resolved[key] as ConfigValue] as const)
      return { variant: given.variant ?? CorrectVariant, ...Object.fromEntries(named) }
    },
    effective: (config) => {
      if (decl.effective === undefined) return config
      const preset: Readonly<Record<string, ConfigValue | undefined>> = decl.effective(resolve(givenIn(config)))
      const replaced = keys.flatMap((key, i) => {
        const value = preset[key]
        return value === undefined ? [] : [[options[i]!.name, value] as const]
      })
      return { ...config, ...Object.fromEntries(replaced) }
    }
  }
}
