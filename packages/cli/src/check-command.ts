import { buildTrace, checkParallel, CheckpointError, readCheckpoint, Search, StateTable, toModel, validateCheckOptions } from "@parley/checker"
import type { Checkpoint, CheckOptions, CheckResult, OptionName, Progress, Strategy, Violation } from "@parley/checker"
import type { Model, SpecConfig, SpecDefinition } from "@parley/core"
import { renderSwimLanes } from "@parley/trace"
import { availableParallelism } from "node:os"
import { Console, Effect, FileSystem, Path } from "effect"
import { CheckInterrupted, SpecFailed, UsageError, ViolationFound } from "./errors.ts"
import { checkpointHooks, stoppableBySignals } from "./checkpointed-search.ts"
import { registry } from "./registry.ts"
import { findSpec, resolveConfig } from "./spec-config.ts"
import type { RawSpecOptions } from "./spec-config.ts"
import { workerSource } from "./worker-source.ts"
import { count, formatSummary, summarize } from "./summary.ts"
import type { CheckedSpec } from "./summary.ts"

export interface CheckInput {
  readonly spec: string
  readonly specOptions: RawSpecOptions
  readonly variant: string | undefined
  readonly strategy: Strategy
  readonly maxDepth: number | undefined
  readonly maxStates: number | undefined
  readonly walks: number | undefined
  readonly seed: number | undefined
  /** With sim: each step prefers successors the walker has not stored yet. */
  readonly preferNew: boolean
  readonly deadlock: boolean
  readonly liveness: boolean
  readonly symmetry: boolean
  /** Partial-order reduction, where it applies (a breadth-first search without liveness); undefined: the spec's default. */
  readonly partialOrder: boolean | undefined
  /** Progress lines even when stderr is not a terminal or the summary is JSON. */
  readonly progress: boolean
  /** Undefined: every core when the search can use them. */
  readonly workers: number | undefined
  readonly checkpoint: string | undefined
  readonly checkpointEverySeconds: number
  readonly resume: string | undefined
  readonly traceOut: string | undefined
  readonly json: boolean
}

/** A check the command line asked for, decoded and checked: ready to run. */
interface CheckPlan {
  readonly spec: SpecDefinition
  readonly config: SpecConfig
  readonly model: Model<unknown, unknown>
  /** Every option but the signal that stops the search. */
  readonly options: CheckOptions
  readonly workers: number
  readonly table: StateTable
  /** Progress rewritten in place on the terminal, which is cleared after. */
  readonly onTerminal: boolean
}

/** The checker's options by the flags that set them, so that its messages name the flags. */
const flags: Record<OptionName, string> = {
  strategy: "--strategy",
  maxDepth: "--max-depth",
  maxStates: "--max-states",
  walks: "--walks",
  seed: "--seed",
  preferNew: "--prefer-new",
  liveness: "--liveness",
  symmetry: "--symmetry",
  partialOrder: "--por",
  workers: "--workers",
  checkpoint: "--checkpoint",
  resume: "--resume"
}

/** A progress line: on a terminal rewritten in place once a second, elsewhere one line each. */
const progressLine = (p: Progress, inPlace: boolean): string =>
  `${inPlace ? "\r\x1b[2K" : ""}  states ${count(p.distinctStates)}  queue ${count(p.queued)}  depth ${p.depth}  ` +
  `${count(Math.round(p.statesPerSec))} states/s${inPlace ? "" : "\n"}`

const defaultTracePath = (spec: string, config: SpecConfig, property: string): string =>
  `traces/${spec}-${String(config.variant)}-${property}.trace.json`

const specFailed = (spec: string) => (cause: unknown) =>
  new SpecFailed({ spec, message: `spec ${spec} failed: ${cause instanceof Error ? cause.message : String(cause)}` })

const checkedSpec = (plan: CheckPlan): CheckedSpec => ({
  spec: plan.spec.name,
  config: plan.config,
  checked: plan.spec.effective(plan.config),
  symmetry: plan.options.symmetry === true
})

/** `parley check`: the check planned, the search run, the counterexample written, the summary printed. */
export const runCheck = Effect.fnUntraced(function*(input: CheckInput) {
  const plan = yield* planCheck(input)
  const result = yield* search(plan, input)
  const traceFile = result.violation === undefined ? null : yield* writeTrace(plan, result.violation, input)
  // A stopped search has printed its summary already (see `reportStopped`).
  if (result.interrupted === true) return yield* new CheckInterrupted()
  const summary = summarize(checkedSpec(plan), input.strategy, result, traceFile)
  yield* Console.log(input.json ? JSON.stringify(summary) : formatSummary(summary))
  if (result.violation !== undefined) return yield* new ViolationFound({ property: result.violation.property })
})

/**
 * The spec, its configuration and model, a checkpoint to resume, and the
 * checker's options, each checked: the options by the checker itself
 * (`validateCheckOptions`), whose messages name the flags.
 */
const planCheck = Effect.fnUntraced(function*(input: CheckInput) {
  const spec = findSpec(registry, input.spec)
  if (spec instanceof UsageError) return yield* spec
  const config = resolveConfig(spec, input.specOptions, input.variant)
  if (config instanceof UsageError) return yield* config
  if (!Number.isInteger(input.checkpointEverySeconds) || input.checkpointEverySeconds < 0) {
    return yield* new UsageError({ message: `--checkpoint-every must be a whole number of seconds, got ${input.checkpointEverySeconds}` })
  }
  const model = yield* Effect.try({ try: () => toModel(spec.build(config)), catch: specFailed(spec.name) })
  const resume = input.resume === undefined ? undefined : yield* loadCheckpoint(input.resume, spec.name, config, input.symmetry)
  const workers = input.workers ?? (input.strategy === "bfs" ? availableParallelism() : 1)
  const onTerminal = !input.json && process.stderr.isTTY === true
  const options = checkOptions(input, spec, config, resume, onTerminal)
  const problems = validateCheckOptions(options, { model, workers, optionName: (option) => flags[option], modelName: spec.name })
  if (problems.length > 0) return yield* new UsageError({ message: problems.join("; ") })
  const table = resume === undefined ? new StateTable() : StateTable.restored(resume.table)
  return { spec, config, model, options, workers, table, onTerminal } satisfies CheckPlan
})

/** The checker's options the flags ask for, with the hooks that write checkpoints and report progress. */
const checkOptions = (input: CheckInput, spec: SpecDefinition, config: SpecConfig, resume: Checkpoint | undefined, onTerminal: boolean): CheckOptions => ({
  strategy: input.strategy,
  deadlock: input.deadlock,
  liveness: input.liveness,
  symmetry: input.symmetry,
  // On by default for some specs, so only where it applies: --liveness or another strategy leaves it off rather than being refused.
  partialOrder: (input.partialOrder ?? spec.partialOrderByDefault === true) && input.strategy === "bfs" && !input.liveness,
  ...(input.maxDepth === undefined ? {} : { maxDepth: input.maxDepth }),
  ...(input.maxStates === undefined ? {} : { maxStates: input.maxStates }),
  ...(input.walks === undefined ? {} : { walks: input.walks }),
  ...(input.seed === undefined ? {} : { seed: input.seed }),
  ...(input.preferNew ? { preferNew: true } : {}),
  ...(onTerminal || input.progress ? { onProgress: (p: Progress) => process.stderr.write(progressLine(p, onTerminal)) } : {}),
  ...(input.checkpoint === undefined
    ? {}
    : checkpointHooks(input.checkpoint, input.checkpointEverySeconds * 1000, { spec: spec.name, config, symmetry: input.symmetry })),
  ...(resume === undefined ? {} : { resume: resume.snapshot })
})

/**
 * The search, on one thread or several, stopped by Ctrl-C rather than
 * ended: uninterruptible, since Ctrl-C stops the search itself (see
 * `stoppableBySignals`), which then reports what it found.
 */
const search = (plan: CheckPlan, input: CheckInput) => {
  const { spec, config, model, options, workers, table } = plan
  const run = async (signal: AbortSignal) =>
    workers > 1
      ? checkParallel(await workerSource(spec, config), { ...options, signal }, workers, { table, model })
      : new Search(model, { ...options, signal }, table).runInterruptibly()
  return Effect.uninterruptible(Effect.tryPromise({
    try: () => stoppableBySignals(run, (stopped) => reportStopped(plan, input, stopped)),
    catch: specFailed(spec.name)
  })).pipe(Effect.ensuring(Effect.sync(() => plan.onTerminal && process.stderr.write("\r\x1b[2K"))))
}

/** A search Ctrl-C stopped: its figures, and what was kept. The process may be about to exit. */
const reportStopped = (plan: CheckPlan, input: CheckInput, stopped: CheckResult): void => {
  const summary = summarize(checkedSpec(plan), input.strategy, stopped, null)
  console.log(input.json ? JSON.stringify(summary) : formatSummary(summary))
  console.error(input.checkpoint !== undefined
    ? `stopped; checkpoint written to ${input.checkpoint}: go on with --resume ${input.checkpoint}`
    : input.strategy === "bfs" && !input.liveness
    ? "stopped; without --checkpoint nothing was kept"
    : "stopped")
}

/** The counterexample as a trace file, shown as swim lanes unless the summary is JSON; the file's path. */
const writeTrace = Effect.fnUntraced(function*(plan: CheckPlan, violation: Violation, input: CheckInput) {
  const { spec, config, model } = plan
  const { property, kind, path, loopStart } = violation
  const meta = { spec: spec.name, config, property: { name: property, kind }, ...(loopStart === undefined ? {} : { loopStart }) }
  const trace = yield* Effect.try({ try: () => buildTrace(model, meta, path), catch: specFailed(spec.name) })
  const file = input.traceOut ?? defaultTracePath(spec.name, config, property)
  const fs = yield* FileSystem.FileSystem
  const paths = yield* Path.Path
  yield* fs.makeDirectory(paths.dirname(file), { recursive: true }).pipe(
    Effect.andThen(fs.writeFileString(file, JSON.stringify(trace, null, 2) + "\n")),
    Effect.mapError((error) => new UsageError({ message: `cannot write the trace to ${file}: ${error.message}` }))
  )
  if (!input.json) yield* Console.log(renderSwimLanes(trace, { color: process.stdout.isTTY === true }))
  return file
})

/** The checkpoint in `file`, refused unless it is of this spec, configuration and reduction. */
const loadCheckpoint = (file: string, spec: string, config: SpecConfig, symmetry: boolean) =>
  Effect.gen(function*() {
    const checkpoint = yield* Effect.try({
      try: () => readCheckpoint(file),
      catch: (error) =>
        new UsageError({ message: error instanceof CheckpointError ? error.message : `cannot read the checkpoint ${file}: ${String(error)}` })
    })
    const same = checkpoint.spec === spec && JSON.stringify(checkpoint.config) === JSON.stringify(config) && checkpoint.symmetry === symmetry
    if (!same) {
      return yield* new UsageError({
        message: `${file} holds a check of ${checkpoint.spec} ${JSON.stringify(checkpoint.config)}${checkpoint.symmetry ? " with --symmetry" : ""}, ` +
          `not of ${spec} ${JSON.stringify(config)}${symmetry ? " with --symmetry" : ""}: give the same spec and options to resume it`
      })
    }
    return checkpoint
  })
