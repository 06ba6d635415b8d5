import { buildTrace, checkParallel, CheckpointError, readCheckpoint, Search, StateTable, toModel } from "@parley/checker"
import type { CheckOptions, CheckResult, Progress, Strategy } from "@parley/checker"
import type { SpecConfig } from "@parley/core"
import { renderSwimLanes } from "@parley/trace"
import { availableParallelism } from "node:os"
import { Console, Effect, FileSystem, Path } from "effect"
import { CheckInterrupted, SpecFailed, UsageError, ViolationFound } from "./errors.ts"
import { runCheckpointed } from "./checkpointed-search.ts"
import { registry } from "./registry.ts"
import { findSpec, resolveConfig } from "./spec-config.ts"
import type { RawSpecOptions } from "./spec-config.ts"
import type { WorkerModelInput } from "./worker-model.ts"
import { count, formatSummary, summarize } from "./summary.ts"

export interface CheckInput {
  readonly spec: string
  readonly specOptions: RawSpecOptions
  readonly variant: string | undefined
  readonly strategy: Strategy
  readonly maxDepth: number | undefined
  readonly maxStates: number | undefined
  readonly walks: number | undefined
  readonly seed: number | undefined
  readonly deadlock: boolean
  readonly liveness: boolean
  readonly symmetry: boolean
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

/** A progress line: on a terminal rewritten in place once a second, elsewhere one line each. */
const progressLine = (p: Progress, inPlace: boolean): string =>
  `${inPlace ? "\r\x1b[2K" : ""}  states ${count(p.distinctStates)}  queue ${count(p.queued)}  depth ${p.depth}  ` +
  `${count(Math.round(p.statesPerSec))} states/s${inPlace ? "" : "\n"}`

const defaultTracePath = (spec: string, config: SpecConfig, property: string): string =>
  `traces/${spec}-${String(config.variant)}-${property}.trace.json`

export const runCheck = Effect.fnUntraced(function*(input: CheckInput) {
  const spec = findSpec(registry, input.spec)
  if (spec instanceof UsageError) return yield* spec
  const config = resolveConfig(spec, input.specOptions, input.variant)
  if (config instanceof UsageError) return yield* config
  for (const [flag, value] of [["--max-depth", input.maxDepth], ["--max-states", input.maxStates], ["--walks", input.walks]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      return yield* new UsageError({ message: `${flag} must be a positive integer, got ${value}` })
    }
  }
  if (input.strategy !== "sim") {
    for (const [flag, value] of [["--walks", input.walks], ["--seed", input.seed]] as const) {
      if (value !== undefined) return yield* new UsageError({ message: `${flag} goes with --strategy sim, not ${input.strategy}` })
    }
  }

  const failed = (cause: unknown) =>
    new SpecFailed({ spec: spec.name, message: `spec ${spec.name} failed: ${cause instanceof Error ? cause.message : String(cause)}` })
  const model = yield* Effect.try({ try: () => toModel(spec.build(config)), catch: failed })
  if (input.symmetry && model.symmetryFingerprint === undefined) {
    return yield* new UsageError({ message: `${spec.name} declares no interchangeable nodes, so --symmetry has nothing to reduce` })
  }
  const checkpointed = input.checkpoint !== undefined || input.resume !== undefined
  const checkpointable = input.strategy === "bfs" && !input.liveness
  if (checkpointed && !checkpointable) {
    return yield* new UsageError({ message: "--checkpoint and --resume go with --strategy bfs, without --liveness" })
  }
  if (!Number.isInteger(input.checkpointEverySeconds) || input.checkpointEverySeconds < 0) {
    return yield* new UsageError({ message: `--checkpoint-every must be a whole number of seconds, got ${input.checkpointEverySeconds}` })
  }
  const resume = input.resume === undefined ? undefined : yield* loadCheckpoint(input.resume, spec.name, config, input.symmetry)
  const parallelizable = input.strategy === "bfs"
  const workers = input.workers ?? (parallelizable ? availableParallelism() : 1)
  if (!Number.isInteger(workers) || workers < 1) {
    return yield* new UsageError({ message: `--workers must be a positive integer, got ${workers}` })
  }
  if (workers > 1 && !parallelizable) {
    return yield* new UsageError({ message: "--workers above 1 goes with --strategy bfs" })
  }
  if (input.symmetry && input.liveness) {
    return yield* new UsageError({ message: "--symmetry and --liveness do not go together: a reduced graph's cycles need not be real cycles" })
  }
  const onTerminal = !input.json && process.stderr.isTTY === true
  const showProgress = onTerminal || input.progress
  const options: CheckOptions = {
    strategy: input.strategy,
    deadlock: input.deadlock,
    liveness: input.liveness,
    symmetry: input.symmetry,
    ...(input.maxDepth === undefined ? {} : { maxDepth: input.maxDepth }),
    ...(input.maxStates === undefined ? {} : { maxStates: input.maxStates }),
    ...(input.walks === undefined ? {} : { walks: input.walks }),
    ...(input.seed === undefined ? {} : { seed: input.seed }),
    ...(showProgress ? { onProgress: (p: Progress) => process.stderr.write(progressLine(p, onTerminal)) } : {})
  }
  const workerInput: WorkerModelInput = { spec: spec.name, config, ...(spec.module === undefined ? {} : { module: spec.module }) }
  const source = { module: new URL("./worker-model.ts", import.meta.url).href, export: "buildCheckModel", input: workerInput }
  const checkpointedRun = {
    options,
    search: (options: CheckOptions, table: StateTable) =>
      workers > 1 ? checkParallel(source, options, workers, { table }) : new Search(model, options, table).runInterruptibly(),
    spec: spec.name,
    config,
    file: input.checkpoint,
    everyMs: input.checkpointEverySeconds * 1000,
    resume,
    onInterrupted: (stopped: CheckResult) => {
      const summary = summarize(spec.name, config, input.strategy, stopped, null)
      console.log(input.json ? JSON.stringify(summary) : formatSummary(summary))
      console.error(input.checkpoint !== undefined
        ? `stopped; checkpoint written to ${input.checkpoint}: go on with --resume ${input.checkpoint}`
        : checkpointable
        ? "stopped; without --checkpoint nothing was kept"
        : "stopped")
    }
  }
  // Uninterruptible: Ctrl-C stops the search itself (see `stoppableBySignals`), which then reports what it found.
  const search = Effect.uninterruptible(Effect.tryPromise({
    try: () => runCheckpointed(checkpointedRun),
    catch: failed
  }))
  const result = yield* search.pipe(
    Effect.ensuring(Effect.sync(() => onTerminal && process.stderr.write("\r\x1b[2K")))
  )

  let traceFile: string | null = null
  if (result.violation !== undefined) {
    const { property, kind, path, loopStart } = result.violation
    const meta = { spec: spec.name, config, property: { name: property, kind }, ...(loopStart === undefined ? {} : { loopStart }) }
    const trace = yield* Effect.try({
      try: () => buildTrace(model, meta, path),
      catch: failed
    })
    traceFile = input.traceOut ?? defaultTracePath(spec.name, config, property)
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const file = traceFile
    yield* fs.makeDirectory(paths.dirname(file), { recursive: true }).pipe(
      Effect.andThen(fs.writeFileString(file, JSON.stringify(trace, null, 2) + "\n")),
      Effect.mapError((error) => new UsageError({ message: `cannot write the trace to ${file}: ${error.message}` }))
    )
    if (!input.json) yield* Console.log(renderSwimLanes(trace, { color: process.stdout.isTTY === true }))
  }

  // A stopped search has printed its summary already (see `onInterrupted`).
  if (result.interrupted === true) return yield* new CheckInterrupted()
  const summary = summarize(spec.name, config, input.strategy, result, traceFile)
  yield* Console.log(input.json ? JSON.stringify(summary) : formatSummary(summary))
  if (result.violation !== undefined) return yield* new ViolationFound({ property: result.violation.property })
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
