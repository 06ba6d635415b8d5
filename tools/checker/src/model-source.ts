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
}

export const loadModel = async (source: ModelSource): Promise<Model<unknown, unknown>> => {
  const loaded = (await import(source.module)) as Record<string, unknown>
  const build = loaded[source.export]
  if (typeof build !== "function") throw new TypeError(`${source.module} exports no function "${source.export}"`)
  return (await build(source.input)) as Model<unknown, unknown>
}
