import type { ModelSource } from "@parley/checker"
import type { SpecConfig, SpecDefinition } from "@parley/core"
import { workerBundle } from "../bin/worker-bundle.mjs"
import { registryModule } from "./worker-model.ts"
import type { WorkerModelInput } from "./worker-model.ts"

const workerModel = new URL("./worker-model.ts", import.meta.url).href

/**
 * Where the checker's worker threads find `spec`'s model: its module, and
 * a bundle that carries it, so that a thread starts in a tenth of the time
 * it takes under tsx. Without a bundle (`PARLEY_BUNDLE=off`, or one that
 * cannot be built, which is said) the threads run from source.
 */
export const workerSource = async (spec: SpecDefinition, config: SpecConfig): Promise<ModelSource> => {
  const input: WorkerModelInput = { spec: spec.name, config, ...(spec.module === undefined ? {} : { module: spec.module }) }
  const source: ModelSource = { module: workerModel, export: "buildCheckModel", input }
  if (process.env["PARLEY_BUNDLE"] === "off") return source
  const bundle = await workerBundle({ modules: [workerModel, spec.module ?? registryModule] })
  if (bundle._tag !== "Failed") return { ...source, bundle: bundle.path }
  console.error(`parley: could not build the checker's worker bundle (${bundle.reason}); its threads run from source under tsx, each starting about a second slower`)
  return source
}
