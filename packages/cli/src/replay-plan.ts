/**
 * What `parley trace replay` makes of a trace before any process starts:
 * the spec it names, as the checker built it (so every step's typed
 * message, timer and state is at hand), laid over the trace step by step;
 * and the hosted spec and cluster options that run the same reducer. Each
 * way a trace cannot be replayed is refused here, with what is missing.
 */
import { CorrectVariant, equals } from "@parley/core"
import type { AnyHostedSpec, AnySystemSpec, Model, NodeId, SystemState, TraceFile } from "@parley/core"
import { eventLabel, systemModel } from "@parley/checker"
import { Result, Schema } from "effect"
import type { SystemAction } from "@parley/checker"
import { UsageError } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"
import { registry } from "./registry.ts"
import { replayHostings } from "./replay-hosting.ts"
import type { ReplayHosting } from "./replay-hosting-of.ts"

export type CheckedState = SystemState<unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown>

export interface ReplayPlan {
  readonly trace: TraceFile
  readonly system: AnySystemSpec
  readonly hosted: AnyHostedSpec
  readonly hosting: ReplayHosting
  /** The variant the cluster runs: the trace's, unless its bugs are all in the nodes the replayer plays. */
  readonly variant: string | undefined
  readonly clusterOptions: Readonly<Record<string, unknown>>
  /** The checked nodes that run as processes, in the system's order; the others are played by the replayer. */
  readonly processes: ReadonlyArray<NodeId>
  /** What the hosted reducer keeps durable of a node's state, as JSON: what a real node's must be. */
  durableOf(state: unknown): unknown
  /** The checker's state before the first step, then after each step. */
  readonly states: ReadonlyArray<CheckedState>
}

const refuse = (message: string) => new UsageError({ message: `cannot replay this trace: ${message}` })

const jsonLanes = (model: Model<CheckedState, SystemAction>, state: CheckedState): unknown => JSON.parse(JSON.stringify(model.lanes(state)))

/** The checker's states along the trace: each step is the enabled action with the step's name that leads to the step's lanes. */
const walk = (model: Model<CheckedState, SystemAction>, trace: TraceFile): ReadonlyArray<CheckedState> | string => {
  const initial = model.init().find((state) => equals(jsonLanes(model, state), trace.initial))
  if (initial === undefined) return `its initial state is not ${trace.spec}'s: was it written by another version of the spec?`
  const states = [initial]
  for (const [i, step] of trace.steps.entries()) {
    const before = states[states.length - 1]!
    const next = model.actions(before).flatMap((action) => {
      const name = model.actionName?.(before, action) ?? eventLabel(model.describe(before, action))
      const after = name === step.action ? model.next(before, action) : undefined
      return after !== undefined && equals(jsonLanes(model, after), step.lanes) ? [after] : []
    })[0]
    if (next === undefined) return `step ${i + 1} (${step.action}) is not a step of ${trace.spec} here: was the trace written by another version of the spec?`
    states.push(next)
  }
  return states
}

/** The plan for a trace, or a usage error that says why it cannot be replayed and what would be needed. */
export const planReplay = (trace: TraceFile): ReplayPlan | UsageError => {
  const hostedNames = hostedSpecs.map((spec) => spec.name).join(", ")
  const hosted = hostedSpecs.find((spec) => spec.name === trace.spec)
  if (hosted === undefined) {
    return refuse(`${trace.spec} does not run as a cluster (the hosted specs: ${hostedNames}); it needs a HostedSpec (docs/ARCHITECTURE.md, Hosting a spec)`)
  }
  const definition = registry.find((spec) => spec.name === trace.spec)
  if (definition === undefined) return refuse(`this build of parley has no spec ${trace.spec} to check it with`)
  const hosting = replayHostings[trace.spec]
  if (hosting === undefined) {
    return refuse(`parley does not know which cluster options run ${trace.spec}'s checked reducer; it needs an entry in packages/cli/src/replay-hosting.ts`)
  }
  const clusterOptions = hosting.clusterOptions(trace.config)
  if (typeof clusterOptions === "string") return refuse(clusterOptions)
  const named = trace.config["variant"]
  const variant = typeof named === "string" && named !== CorrectVariant ? named : undefined
  if (variant !== undefined && hosting.variantOnlyInPlayed !== true && !(hosted.variants ?? []).some((known) => known.name === variant)) {
    const hostable = (hosted.variants ?? []).map((known) => known.name).join(", ") || "none"
    return refuse(`the cluster cannot run ${trace.spec}'s variant "${variant}" (it hosts: ${hostable}); it needs the variant in ${trace.spec}'s HostedSpec variants`)
  }
  let built
  try {
    built = definition.build(trace.config)
  } catch (error) {
    return refuse(`its configuration does not build ${trace.spec}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (built._tag !== "System") return refuse(`${trace.spec} is checked as a model, not as nodes exchanging messages`)
  const states = walk(systemModel(built.system), trace)
  if (typeof states === "string") return refuse(states)
  const nodes = built.system.nodes.map((node) => node.id)
  const processes = hosting.processes?.(nodes) ?? nodes
  const options = Schema.decodeUnknownResult(hosted.options)(clusterOptions)
  if (Result.isFailure(options)) return refuse(`the cluster options ${JSON.stringify(clusterOptions)} do not fit ${trace.spec}'s: ${options.failure.message}`)
  // The hosted actor may keep more than the checked one (a record that the node ran before): the real node's durable state is the hosted reducer's of the checked state.
  const clusterVariant = hosting.variantOnlyInPlayed === true ? undefined : variant
  const actor = hosted.actor([...processes, ...(hosting.alongside ?? [])], options.success, clusterVariant)
  const durableOf = (state: unknown): unknown => JSON.parse(JSON.stringify(actor.durable(state)))
  return { trace, system: built.system, hosted, hosting, variant: clusterVariant, clusterOptions, processes, durableOf, states }
}
