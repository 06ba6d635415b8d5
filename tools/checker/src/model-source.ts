import type { Model } from "@parley/core/model"

/**
 * Where a worker thread finds the model: a module, the function it exports
 * that builds the model, and that function's one argument. Worker threads
 * share no objects with the main thread, so each builds its own model from
 * this plain, cloneable description.
 */
export interface ModelSource {
  readonly module: string
  readonly export: string
  readonly input: unknown
  /**
   * A prebuilt script of the worker entry (`worker-job.ts`) that carries
   * `module` and what it imports (see `packages/cli/bin/worker-bundle.mjs`):
   * a thread started from it loads one file instead of compiling the
   * checker and the spec under tsx. Without it, threads run from source.
   */
  readonly bundle?: string
}

/** Modules a bundle carries, by URL: a bundled thread imports them from here, not from source. */
const preloaded = new Map<string, Record<string, unknown>>()

const urlOf = (module: string): string => new URL(module, "file:///").href

/** Called by a bundle's entry before the thread's job starts, with the modules it carries, by their source URLs. */
export const preloadModules = (modules: Readonly<Record<string, Record<string, unknown>>>): void => {
  for (const [module, namespace] of Object.entries(modules)) preloaded.set(urlOf(module), namespace)
}

/** A module's namespace: the bundle's copy where the thread runs from one, else imported from source. */
export const importModule = async (module: string): Promise<Record<string, unknown>> =>
  preloaded.get(urlOf(module)) ?? (await import(module)) as Record<string, unknown>

export const loadModel = async (source: ModelSource): Promise<Model<unknown, unknown>> => {
  const loaded = await importModule(source.module)
  const build = loaded[source.export]
  if (typeof build !== "function") throw new TypeError(`${source.module} exports no function "${source.export}"`)
  return (await build(source.input)) as Model<unknown, unknown>
}
