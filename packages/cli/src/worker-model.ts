import { toModel } from "@parley/checker"
import type { Model, SpecConfig } from "@parley/core"
import { registry } from "./registry.ts"

/** The model of a spec and configuration, as each checker worker thread builds it for itself. */
export const buildCheckModel = (input: { readonly spec: string; readonly config: SpecConfig }): Model<unknown, unknown> => {
  const spec = registry.find((candidate) => candidate.name === input.spec)
  if (spec === undefined) throw new TypeError(`no spec "${input.spec}"`)
  return toModel(spec.build(input.config))
}
