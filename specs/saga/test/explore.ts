import { buildTrace, check, systemModel } from "@parley/checker"
import { defaultConfig } from "@parley/core"
import type { ConfigValue, SpecDefinition } from "@parley/core"

/** A spec explored by BFS exactly as `parley check` builds it: its defaults, then the overrides; liveness when asked. */
export const explore = (spec: SpecDefinition, overrides: Readonly<Record<string, ConfigValue>>, liveness = false) => {
  const config = { ...defaultConfig(spec), ...overrides }
  const built = spec.build(config)
  if (built._tag !== "System") throw new Error(`${spec.name} builds a system`)
  const model = systemModel(built.system)
  const result = check(model, { strategy: "bfs", liveness })
  const trace = () => {
    const violation = result.violation
    if (violation === undefined) throw new Error("no violation to trace")
    const property = { name: violation.property, kind: violation.kind }
    return buildTrace(model, { spec: spec.name, config, property, ...(violation.loopStart === undefined ? {} : { loopStart: violation.loopStart }) }, violation.path)
  }
  return { result, trace }
}
