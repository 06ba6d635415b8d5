/**
 * `parley validate`'s whole check of a cluster's event logs: each node's
 * log read and replayed through the hosted spec's reducer (the first
 * divergence ends the check); the logs merged into one run; the checked
 * spec's invariants on the run's global states; the clients' history for
 * linearizability where the spec serves a key-value store. The first
 * divergence or violation comes with a trace file of the steps that led to it.
 */
import type { AnyHostedSpec, AnySystemSpec, NodeId, SearchBudget, SpecConfig, TraceFile } from "@parley/core"
import { Result, Schema } from "effect"
import type { ClientHistoryCheck } from "./history.ts"
import { judgeRun } from "./invariants.ts"
import { rebuildLostBatches } from "./lost-batch.ts"
import { mergeRun } from "./merge.ts"
import type { GlobalEvent } from "./merge.ts"
import { readNodeLog } from "./read.ts"
import type { EventLogUnreadable } from "./errors.ts"
import { describeDivergence, replayNode } from "./replay.ts"
import type { Divergence, ReplayedNode } from "./replay.ts"
import { describeEvent, lanesOf, printerOf, traceFile, traceOfRun } from "./trace.ts"
import type { Printer } from "./trace.ts"

export const ValidationVerdict = Schema.Struct({
  /** valid: every check ran and passed; invalid: a divergence or a violation; unknown: a check could not decide. */
  verdict: Schema.Literals(["valid", "invalid", "unknown"]),
  spec: Schema.String,
  variant: Schema.NullOr(Schema.String),
  nodes: Schema.Array(Schema.Struct({ node: Schema.String, runs: Schema.Int, steps: Schema.Int })),
  /** The first step whose replay differs from the log, said in a few lines. */
  divergence: Schema.optionalKey(Schema.String),
  /** The first property broken, and where. */
  violation: Schema.optionalKey(Schema.Struct({ property: Schema.String, description: Schema.String })),
  /** Each check and how it came out: replay, merge, invariants, linearizability. */
  checks: Schema.Array(Schema.Struct({ check: Schema.String, outcome: Schema.Literals(["passed", "failed", "skipped", "unknown"]), detail: Schema.String })),
  notes: Schema.Array(Schema.String)
})
export type ValidationVerdict = typeof ValidationVerdict.Type
type Check = ValidationVerdict["checks"][number]

export interface ValidateInput {
  /** The directory of the nodes' logs (a cluster's `events/`). */
  readonly dir: string
  readonly nodes: ReadonlyArray<NodeId>
  readonly hosted: AnyHostedSpec
  /** The checked spec with this cluster's nodes, for its invariants and how its values print; none: no invariants. */
  readonly system: AnySystemSpec | undefined
  /** The checked spec's properties that do not judge this cluster (`HostedSpec.unjudgedProperties`), left out. */
  readonly unjudged?: ReadonlyArray<{ readonly property: string; readonly why: string }>
  /** The client operations' model, for a spec that serves one (the key-value store); none: no history check. */
  readonly clients: ClientHistoryCheck | undefined
  /** What the trace file names as the configuration. */
  readonly config: SpecConfig
  /** The most steps a trace file shows, counting back from what it shows. */
  readonly traceSteps: number
  /** The time each of the invariants' check and the history's search may take, and the history search's memory. */
  readonly budget: SearchBudget
}

export interface Validation {
  readonly verdict: ValidationVerdict
  readonly trace: TraceFile | undefined
}

export const validateLogs = (input: ValidateInput): Result.Result<Validation, EventLogUnreadable> => {
  const notes: Array<string> = []
  const checks: Array<Check> = []
  let replayed: Array<ReplayedNode> = []
  const truncated: Array<NodeId> = []
  for (const node of input.nodes) {
    const log = readNodeLog(input.dir, node, input.hosted)
    if (Result.isFailure(log)) return Result.fail(log.failure)
    notes.push(...log.success.notes)
    if (log.success.truncated) truncated.push(node)
    replayed.push(replayNode(log.success, input.hosted))
  }
  const printer = printerOf(input.system, input.hosted)
  const variant = variantOf(input)
  const base = (verdict: ValidationVerdict["verdict"]) => ({
    verdict,
    spec: input.hosted.name,
    variant,
    nodes: replayed.map((node) => ({ node: node.node, runs: new Set(node.steps.map((step) => step.incarnation)).size, steps: node.steps.length })),
    checks,
    notes
  })
  const finish = (verdict: ValidationVerdict["verdict"], extra: Partial<ValidationVerdict>, trace?: TraceFile): Result.Result<Validation, never> =>
    Result.succeed({ verdict: { ...base(verdict), ...extra }, trace })

  const divergedAt = (node: ReplayedNode, divergence: Divergence) => {
    checks.push({ check: "replay", outcome: "failed", detail: `${node.node} diverges at its step ${divergence.index}` })
    return finish("invalid", { divergence: describeDivergence(divergence) }, divergenceTrace(input, printer, node, divergence))
  }
  const diverged = replayed.find((node) => node.divergence !== undefined)
  if (diverged?.divergence !== undefined) return divergedAt(diverged, diverged.divergence)
  const steps = replayed.reduce((sum, node) => sum + node.steps.length, 0)
  const lost = rebuildLostBatches(replayed, input.hosted)
  if (lost._tag === "Diverged") return divergedAt(lost.node, lost.divergence)
  replayed = [...lost.nodes]
  notes.push(...lost.notes)
  const rebuilt = lost.batches === 0 ? "" : `; ${lost.batches} lost ${lost.batches === 1 ? "batch" : "batches"} rebuilt from the messages and timers pending at a crash (see notes)`
  checks.push({ check: "replay", outcome: "passed", detail: `${steps} steps of ${replayed.length} nodes replayed; every output and durable state as logged${rebuilt}` })

  if (truncated.length > 0) {
    // Receives whose sends were rotated away cannot be matched: the run cannot be put together.
    const why = `the log of ${truncated.join(", ")} was rotated: the whole run is not there to merge`
    for (const check of ["merge", "invariants", "linearizability"]) checks.push({ check, outcome: "skipped", detail: why })
    return finish("valid", {})
  }
  if (replayed.some((node) => node.steps.length === 0)) notes.push(`no steps logged by ${replayed.filter((node) => node.steps.length === 0).map((node) => node.node).join(", ")}`)
  const merged = mergeRun(replayed)
  if (merged._tag === "Unmatched") {
    checks.push({ check: "merge", outcome: "failed", detail: merged.message })
    return finish("invalid", { violation: { property: "ReceivesMatchSends", description: `${merged.step.logged.where}: ${merged.message}` } })
  }
  checks.push({ check: "merge", outcome: "passed", detail: `${merged.events.length} events; ${merged.sends.size} receives matched to their sends` })

  const invariants = checkInvariants(input, printer, merged, checks)
  if (invariants !== undefined) return finish("invalid", { violation: invariants.violation }, invariants.trace)

  const history = checkHistory(input, printer, merged.events, checks)
  if (history !== undefined) return finish("invalid", { violation: history.violation }, history.trace)
  return finish(checks.some((check) => check.outcome === "unknown") ? "unknown" : "valid", {})
}

/** The diverging node's last steps, then the divergence itself as a step of its own, on the state before it. */
const divergenceTrace = (input: ValidateInput, printer: Printer, node: ReplayedNode, divergence: Divergence): TraceFile => {
  const events: Array<GlobalEvent> = node.steps.map((step) => ({ _tag: "Step", step }))
  const last = node.steps.at(-1)
  const lanes = last === undefined ? {} : lanesOf(printer, new Map([[node.node, { up: true, value: last.after }]]))
  const label = describeDivergence(divergence)
  const diverges = { action: `${node.node} diverges: ${divergence.kind}`, event: { _tag: "Local" as const, node: node.node, label }, lanes }
  return trace(input, "ReplayMatchesLog", traceOfRun(printer, events, events.length - 1, input.traceSteps, durableOf(input), diverges))
}

const variantOf = (input: ValidateInput): string | null => (typeof input.config["variant"] === "string" ? input.config["variant"] : null)

/** A crashed node's durable state, by the hosted actor: what `durable` keeps depends on no option. */
const durableOf = (input: ValidateInput) => {
  const actor = input.hosted.actor(input.nodes, Schema.decodeUnknownSync(input.hosted.options)({}), undefined)
  return (_node: NodeId, state: unknown): unknown => actor.durable(state)
}

const trace = (input: ValidateInput, property: string, run: ReturnType<typeof traceOfRun>): TraceFile =>
  traceFile({ spec: input.hosted.name, config: input.config, property, initial: run.initial, steps: run.steps })

type Found = { readonly violation: NonNullable<ValidationVerdict["violation"]>; readonly trace: TraceFile } | undefined

const checkInvariants = (input: ValidateInput, printer: Printer, merged: Extract<ReturnType<typeof mergeRun>, { _tag: "Merged" }>, checks: Array<Check>): Found => {
  if (input.system === undefined) {
    checks.push({ check: "invariants", outcome: "skipped", detail: "no checked spec for this hosted spec" })
    return undefined
  }
  const unjudged = input.unjudged ?? []
  const skip = new Set([...(input.clients === undefined ? [] : [input.clients.property]), ...unjudged.map((left) => left.property)])
  const judged = judgeRun(input.system, input.hosted, merged, skip, input.budget.maxMilliseconds ?? Number.POSITIVE_INFINITY)
  const leftOut = unjudged.map((left) => `; ${left.property} left out: ${left.why}`).join("")
  if (judged._tag === "Inapplicable") {
    checks.push({ check: "invariants", outcome: "skipped", detail: judged.reason })
    return undefined
  }
  if (judged._tag === "OutOfTime") {
    checks.push({ check: "invariants", outcome: "unknown", detail: `held on the first ${judged.states} global states of about ${judged.events}, when the time limit ran out` })
    return undefined
  }
  if (judged._tag === "Held") {
    checks.push({ check: "invariants", outcome: "passed", detail: `${judged.properties.join(", ")} hold on all ${judged.states} global states${leftOut}` })
    return undefined
  }
  const { action } = describeEvent(printer, merged.events[judged.event]!)
  checks.push({ check: "invariants", outcome: "failed", detail: `${judged.property} is broken after event ${judged.event}: ${action}` })
  const run = traceOfRun(printer, merged.events, judged.event, input.traceSteps, durableOf(input))
  return { violation: { property: judged.property, description: `broken after event ${judged.event} of the merged run: ${action}` }, trace: trace(input, judged.property, run) }
}

const checkHistory = (input: ValidateInput, printer: Printer, events: ReadonlyArray<GlobalEvent>, checks: Array<Check>): Found => {
  if (input.clients === undefined) {
    checks.push({ check: "linearizability", outcome: "skipped", detail: `${input.hosted.name} serves no key-value store` })
    return undefined
  }
  const result = input.clients.check(input.hosted, events, input.budget)
  const count = result.operations
  if (result._tag === "Linearizable") {
    checks.push({ check: "linearizability", outcome: "passed", detail: `${count} operations, linearizable` })
    return undefined
  }
  if (result._tag === "Unknown") {
    checks.push({ check: "linearizability", outcome: "unknown", detail: `${count} operations; the search ran out of ${result.reason} in key ${result.partition ?? "-"}` })
    return undefined
  }
  const key = result.partition === undefined ? "" : ` on key ${result.partition}`
  const what = `${result.client}'s ${printer.request(result.request)} answered ${result.response === undefined ? "nothing" : printer.response(result.response)}`
  checks.push({ check: "linearizability", outcome: "failed", detail: `${count} operations; not linearizable${key}: ${what} fits no order` })
  const run = traceOfRun(printer, events, result.event, input.traceSteps, durableOf(input))
  return {
    violation: { property: "Linearizable", description: `the clients' history is not linearizable${key}: ${what}, which no order of the operations explains` },
    trace: trace(input, "Linearizable", run)
  }
}
