/**
 * `parley validate DIR`: a cluster's event logs (DIR/events, as `parley
 * cluster up` and `parley test` leave them) replayed through the hosted
 * spec's reducer, merged into one run, and checked against the spec's
 * invariants and, for a key-value store, linearizability. The first
 * divergence or violation is written as a trace file that `parley trace
 * show` renders. Exit codes: 0 valid, 1 invalid, 2 bad usage or input,
 * 4 unknown (the invariants or the history check ran out of its time).
 */
import { defaultConfig } from "@parley/core"
import type { AnyHostedSpec, AnySystemSpec, SpecConfig } from "@parley/core"
import { readCluster } from "@parley/runtime"
import { clientHistoryCheck, kvClientModel, servesKeyValueStore, validateLogs } from "@parley/validate"
import type { ValidationVerdict } from "@parley/validate"
import { renderSwimLanes } from "@parley/trace"
import { Console, Effect, Option, Result, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { HistoryUndecided, InputFileError, ViolationFound } from "./errors.ts"
import { hostedSpecs } from "./hosted.ts"
import { registry } from "./registry.ts"

/**
 * The checked spec of the same name with this cluster's nodes: its size
 * option (`nodes`, or what its layout counts) set so its node ids are the
 * cluster's; undefined when it cannot be built so.
 */
export const checkedSystem = (hosted: AnyHostedSpec, count: number): AnySystemSpec | undefined => {
  const spec = registry.find((candidate) => candidate.name === hosted.name)
  if (spec === undefined) return undefined
  const config = defaultConfig(spec)
  const size = hosted.layout?.counts ?? "nodes"
  const layoutCount = hosted.layout === undefined ? count : count - (hosted.layout.ids(0).length)
  if (spec.options.some((option) => option.name === size)) config[size] = layoutCount
  try {
    const built = spec.build(config)
    return built._tag === "System" ? built.system : undefined
  } catch {
    return undefined
  }
}

/** The checked spec's properties the cluster's options put out of reach (see `HostedSpec.unjudgedProperties`). */
const unjudgedProperties = (hosted: AnyHostedSpec, options: unknown) => {
  const decoded = Schema.decodeUnknownResult(hosted.options)(options)
  return Result.isSuccess(decoded) ? hosted.unjudgedProperties?.(decoded.success) ?? [] : []
}

export interface ValidateRun {
  readonly verdict: ValidationVerdict
  readonly traceFile: string | undefined
}

/** Validates the cluster in `dir`; writes the trace of a finding to `traceOut` (by default DIR/validate-trace.json). */
export const validateCluster = (dir: string, options: { readonly traceOut?: string | undefined; readonly traceSteps?: number; readonly timeLimitSeconds?: number } = {}) =>
  Effect.gen(function*() {
    const file = readCluster(dir)
    if (Result.isFailure(file)) return yield* new InputFileError({ path: dir, message: file.failure.message })
    const cluster = file.success
    const hosted = hostedSpecs.find((spec) => spec.name === cluster.spec)
    if (hosted === undefined) return yield* new InputFileError({ path: dir, message: `spec "${cluster.spec}" is not one this build hosts` })
    const nodes = cluster.nodes.map((node) => node.id)
    const config: SpecConfig = { nodes: nodes.length, source: "event logs", ...(cluster.variant === undefined ? {} : { variant: cluster.variant }) }
    const validation = validateLogs({
      dir: join(dir, "events"),
      nodes,
      hosted,
      system: checkedSystem(hosted, nodes.length),
      unjudged: unjudgedProperties(hosted, cluster.options),
      clients: servesKeyValueStore(hosted) ? clientHistoryCheck(kvClientModel) : undefined,
      config,
      traceSteps: options.traceSteps ?? 60,
      budget: { maxMilliseconds: (options.timeLimitSeconds ?? 60) * 1000, maxMemoryBytes: 1024 * 1024 * 1024 }
    })
    if (Result.isFailure(validation)) return yield* new InputFileError({ path: validation.failure.path, message: validation.failure.message })
    const { verdict, trace } = validation.success
    let traceFile: string | undefined
    if (trace !== undefined) {
      traceFile = options.traceOut ?? join(dir, "validate-trace.json")
      mkdirSync(dirname(traceFile), { recursive: true })
      writeFileSync(traceFile, JSON.stringify(trace, null, 2) + "\n")
    }
    return { verdict, traceFile, trace } as const
  })

/** The verdict in a few lines: each check, then what was found and where its trace is. */
export const renderValidation = (verdict: ValidationVerdict, traceFile: string | undefined): string => {
  const lines = [`${verdict.spec}${verdict.variant === null ? "" : ` (variant ${verdict.variant})`}: ${verdict.verdict.toUpperCase()}`]
  lines.push(`  nodes: ${verdict.nodes.map((node) => `${node.node} ${node.steps} steps in ${node.runs} run${node.runs === 1 ? "" : "s"}`).join("; ")}`)
  for (const check of verdict.checks) lines.push(`  ${check.check}: ${check.outcome}; ${check.detail}`)
  if (verdict.divergence !== undefined) lines.push("", verdict.divergence)
  if (verdict.violation !== undefined) lines.push("", `${verdict.violation.property}: ${verdict.violation.description}`)
  for (const note of verdict.notes) lines.push(`  note: ${note}`)
  if (traceFile !== undefined) lines.push("", `trace: ${traceFile} (parley trace show ${traceFile}; parley trace view ${traceFile})`)
  return lines.join("\n")
}

export const validateCommand = Command.make(
  "validate",
  {
    dir: Argument.String("dir").pipe(Argument.withDescription("A cluster's directory (cluster.json and events/), as parley cluster up or parley test leaves it")),
    trace: Flag.String("trace").pipe(Flag.optional, Flag.withDescription("Where to write the trace of a divergence or violation (default: DIR/validate-trace.json)")),
    traceSteps: Flag.Int("trace-steps").pipe(Flag.withDefault(60), Flag.withDescription("The most steps the trace shows, up to what it found")),
    timeLimit: Flag.Int("check-time-limit").pipe(Flag.withDefault(60), Flag.withDescription("Seconds the invariants' check and the linearizability search may each take before their verdict is unknown")),
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print the verdict as one line of JSON"))
  },
  ({ dir, trace, traceSteps, timeLimit, json }) =>
    Effect.gen(function*() {
      const run = yield* validateCluster(dir, { traceOut: Option.getOrUndefined(trace), traceSteps, timeLimitSeconds: timeLimit })
      if (json) yield* Console.log(JSON.stringify({ ...run.verdict, trace: run.traceFile ?? null }))
      else {
        if (run.trace !== undefined) yield* Console.log(renderSwimLanes(run.trace, { color: process.stdout.isTTY === true }) + "\n")
        yield* Console.log(renderValidation(run.verdict, run.traceFile))
      }
      if (run.verdict.verdict === "invalid") return yield* new ViolationFound({ property: run.verdict.violation?.property ?? "ReplayMatchesLog" })
      // Unknown: the invariants' check or the history's search ran out of its time.
      if (run.verdict.verdict === "unknown") return yield* new HistoryUndecided({ reason: "time" })
    })
).pipe(Command.withDescription(
  "Replay a cluster's event logs through its spec's reducer, merge them into one run, and check the spec's invariants and the clients' history; the first divergence or violation is written as a trace"
))
