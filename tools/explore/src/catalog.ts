import { toModel } from "@parley/checker"
import type { Model, SpecConfig, SpecDefinition } from "@parley/core"
import type { Location } from "./location.ts"

/** A spec and one full configuration of it, checked. */
export interface Configured {
  readonly definition: SpecDefinition
  readonly config: SpecConfig
}

/**
 * The specs the explorer can show, and how options given as text become a
 * configuration: the command line's own rules and messages (`parley` passes
 * its registry and `resolveConfig`), so a URL is refused as the command line
 * would refuse it.
 */
export interface SpecCatalog {
  readonly specs: ReadonlyArray<SpecDefinition>
  /** The spec named and its configuration, or a sentence saying what is wrong (an unknown spec, an option out of range). */
  readonly configure: (spec: string, options: Readonly<Record<string, string>>) => Configured | string
}

/** A spec's model for one configuration, built once and kept for the next request. */
export interface Built extends Configured {
  readonly model: Model<unknown, unknown>
}

const kept = 16

/**
 * The models of the configurations asked for lately. Building raft's takes
 * milliseconds, but every click asks for one, so the last few are kept
 * (oldest dropped first).
 */
export class ModelCache {
  private readonly models = new Map<string, Built>()

  constructor(readonly catalog: SpecCatalog) {}

  /** The model the location's spec and options name, or why there is none. */
  modelAt(location: Location): Built | string {
    const configured = this.catalog.configure(location.spec, location.options)
    if (typeof configured === "string") return configured
    const key = `${configured.definition.name}\u0000${JSON.stringify(configured.config)}`
    const cached = this.models.get(key)
    if (cached !== undefined) return cached
    const built = buildModel(configured)
    if (typeof built === "string") return built
    if (this.models.size >= kept) this.models.delete(this.models.keys().next().value ?? "")
    this.models.set(key, built)
    return built
  }
}

/**
 * A fresh model: a check runs on its own, since a model may keep caches of
 * the state it last read (twophase does) and the pages go on asking theirs.
 */
export const buildModel = (configured: Configured): Built | string => {
  try {
    return { ...configured, model: toModel(configured.definition.build(configured.config)) }
  } catch (error) {
    return `spec ${configured.definition.name} cannot be built with ${JSON.stringify(configured.config)}: ${error instanceof Error ? error.message : String(error)}`
  }
}
