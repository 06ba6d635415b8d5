import { importModule } from "@parley/checker/worker"
import type { BuiltSpec, Model, SpecConfig, SpecDefinition } from "@parley/core/model"

export interface WorkerModelInput {
  readonly spec: string
  readonly config: SpecConfig
  /** The module that exports the spec (`SpecDefinition.module`); without it the whole registry is loaded. */
  readonly module?: string
}

/**
 * Imported by URL rather than by name, so that a worker bundle carries the
 * registry only when its spec names no module (see `worker-source.ts`).
 */
export const registryModule = new URL("./registry.ts", import.meta.url).href

const registryOf = (loaded: Record<string, unknown>): ReadonlyArray<unknown> => {
  const registry = loaded["registry"]
  return Array.isArray(registry) ? registry : []
}

const isSpec = (value: unknown, name: string): value is SpecDefinition =>
  typeof value === "object" && value !== null && (value as SpecDefinition).name === name && typeof (value as SpecDefinition).build === "function"

/**
 * The model of a spec and configuration, as each checker worker thread
 * builds it for itself. Everything is imported when needed, so that a
 * thread loads the spec's own module and what it imports, and the actor
 * system only for a spec that is a cluster of actors.
 */
export const buildCheckModel = async (input: WorkerModelInput): Promise<Model<unknown, unknown>> => {
  const candidates: ReadonlyArray<unknown> = input.module !== undefined
    ? Object.values(await importModule(input.module))
    : registryOf(await importModule(registryModule))
  const spec = candidates.find((candidate) => isSpec(candidate, input.spec))
  if (spec === undefined) throw new TypeError(`no spec "${input.spec}" in ${input.module ?? "the registry"}`)
  const built: BuiltSpec = spec.build(input.config)
  if (built._tag === "Model") return built.model
  const { toModel } = await import("@parley/checker")
  return toModel(built)
}
