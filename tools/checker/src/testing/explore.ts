/**
 * The one way a spec's tests explore it: built exactly as `parley check`
 * builds it (the overrides by their command-line names, the others at their
 * defaults, a profile's among them: `configOf`),
 * searched by BFS, with the counterexample as the trace file `parley check`
 * would write.
 */
import { configOf } from "@parley/core"
import type { AnySystemSpec, ConfigValue, Model, SpecDefinition } from "@parley/core"
import { systemModel } from "../actor-system.ts"
import { check } from "../search.ts"
import { buildTrace } from "../trace-file.ts"

export interface ExploreOptions {
  /** Check `eventually` and `leadsTo` properties too. */
  readonly liveness?: boolean
  /** Report a state with no successor as a violation unless the model calls it terminal. */
  readonly deadlock?: boolean
  /** Narrows an actor system (to one property, say) before it is turned into a model. */
  readonly adjust?: (system: AnySystemSpec) => AnySystemSpec
}

export type Overrides = Readonly<Record<string, ConfigValue>>

export const explore = (spec: SpecDefinition, overrides: Overrides = {}, options: ExploreOptions = {}) => {
  const config = configOf(spec, overrides)
  const built = spec.build(config)
  const model: Model<unknown, unknown> = built._tag === "Model"
    ? built.model
    : systemModel((options.adjust ?? ((system) => system))(built.system))
  const result = check(model, { strategy: "bfs", liveness: options.liveness ?? false, deadlock: options.deadlock ?? false })
  const trace = () => {
    const violation = result.violation
    if (violation === undefined) throw new Error(`${spec.name} ${JSON.stringify(overrides)}: no violation to trace`)
    const property = { name: violation.property, kind: violation.kind }
    const loop = violation.loopStart === undefined ? {} : { loopStart: violation.loopStart }
    return buildTrace(model, { spec: spec.name, config, property, ...loop }, violation.path)
  }
  return { model, result, trace }
}

export type Explored = ReturnType<typeof explore>
