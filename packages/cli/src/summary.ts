import type { CheckResult, Strategy, SwarmResult } from "@parley/checker"
import type { SpecConfig } from "@parley/core"
import { Schema } from "effect"
import { SpecConfig as SpecConfigSchema } from "@parley/core"
import { replayable } from "./replay-hosting.ts"

/** The one-line JSON summary `parley check --json` prints; scripts and the bench read it. */
export const CheckSummary = Schema.Struct({
  spec: Schema.String,
  /** The options as given: what reproduces the check. */
  config: SpecConfigSchema,
  /** The options the check explored: `config` with what a preset (a profile) set in place of the given ones. */
  checked: SpecConfigSchema,
  strategy: Schema.Literals(["bfs", "dfs", "sim"]),
  /** With sim: the random walks run. */
  walks: Schema.NullOr(Schema.Int),
  /** With sim on several workers: the walkers, each with its own seed (`--seed` plus its index). */
  walkers: Schema.NullOr(Schema.Int),
  /** With sim on several workers: each walker's seed, walks, and the states and steps in its own table. */
  perWalker: Schema.NullOr(Schema.Array(Schema.Struct({ seed: Schema.Int, walks: Schema.Int, distinctStates: Schema.Int, generatedStates: Schema.Int }))),
  /**
   * With bfs on several workers: what each thread did, the main thread first: its CPU time (and of it, before it took
   * part), its time expanding and waiting for the others at a level's end, the states it expanded, took from another
   * thread, and rebuilt by replaying their paths (and the steps that cost).
   */
  perThread: Schema.NullOr(Schema.Array(Schema.Struct({
    thread: Schema.Int,
    cpuMs: Schema.Int,
    startCpuMs: Schema.Int,
    busyMs: Schema.Int,
    waitMs: Schema.Int,
    expanded: Schema.Int,
    stolen: Schema.Int,
    replayed: Schema.Int,
    replaySteps: Schema.Int
  }))),
  result: Schema.Literals(["ok", "violation", "bounded"]),
  property: Schema.NullOr(Schema.String),
  propertyKind: Schema.NullOr(Schema.Literals(["always", "deadlock", "eventually", "leadsTo"])),
  /** Steps in the counterexample, when there is one. */
  traceLength: Schema.NullOr(Schema.Int),
  /** A liveness counterexample's cycle starts at this step index (`traceLength` when the last state lasts forever). */
  loopStart: Schema.NullOr(Schema.Int),
  distinctStates: Schema.Int,
  /** Whether `--symmetry` was on: then `distinctStates` counts orbits, one state stored for each. */
  symmetry: Schema.Boolean,
  generatedStates: Schema.Int,
  /** Steps partial-order reduction did not take (each would have generated a state); null when it was off. */
  skippedTransitions: Schema.NullOr(Schema.Int),
  maxDepth: Schema.Int,
  elapsedMs: Schema.Number,
  statesPerSec: Schema.Number,
  /** Steps taken (states generated) a second: with sim, the figure to compare. */
  stepsPerSec: Schema.Number,
  traceFile: Schema.NullOr(Schema.String),
  sometimesReached: Schema.Array(Schema.String),
  sometimesUnreached: Schema.Array(Schema.String),
  /** Liveness properties a bounded search could not check. */
  livenessUnchecked: Schema.Array(Schema.String)
})
export type CheckSummary = typeof CheckSummary.Type

/** What was checked: the spec, its options as given, and as the check explored them (see `SpecDefinition.effective`). */
export interface CheckedSpec {
  readonly spec: string
  readonly config: SpecConfig
  readonly checked: SpecConfig
  /** Whether the search stored one state per orbit (`--symmetry`). */
  readonly symmetry: boolean
}

export const summarize = (
  { spec, config, checked, symmetry }: CheckedSpec,
  strategy: Strategy,
  result: CheckResult & Partial<Pick<SwarmResult, "walkers" | "perWalker">>,
  traceFile: string | null
): CheckSummary => ({
  spec,
  config,
  checked,
  strategy,
  walks: result.walks ?? null,
  walkers: result.walkers ?? null,
  perWalker: result.perWalker ?? null,
  perThread: result.perThread ?? null,
  result: result.result,
  property: result.violation?.property ?? null,
  propertyKind: result.violation?.kind ?? null,
  traceLength: result.violation === undefined ? null : result.violation.path.actionIndices.length,
  loopStart: result.violation?.loopStart ?? null,
  distinctStates: result.distinctStates,
  symmetry,
  generatedStates: result.generatedStates,
  skippedTransitions: result.skippedTransitions ?? null,
  maxDepth: result.maxDepth,
  elapsedMs: Math.round(result.elapsedMs),
  statesPerSec: Math.round(result.statesPerSec),
  stepsPerSec: Math.round(result.elapsedMs > 0 ? (result.generatedStates * 1000) / result.elapsedMs : 0),
  traceFile,
  sometimesReached: result.reached.map((r) => r.property),
  sometimesUnreached: result.unreached,
  livenessUnchecked: result.livenessUnchecked
})

/** A figure with thousands separators, as every report prints them. */
export const count = (n: number): string => n.toLocaleString("en-US")

const configLine = (config: SpecConfig): string =>
  Object.entries(config).map(([k, v]) => `${k}=${String(v)}`).join(" ")

/** The human-readable report of a check. */
export const formatSummary = (summary: CheckSummary): string => {
  const walkers = summary.walkers === null ? "" : ` walkers=${summary.walkers}`
  const lines: Array<string> = [`${summary.spec}  ${configLine(summary.checked)}  strategy=${summary.strategy}${walkers}`]
  const skipped = summary.skippedTransitions === null ? "" : `, ${count(summary.skippedTransitions)} steps skipped by partial-order reduction`
  const rate = summary.strategy === "sim" ? `${count(summary.stepsPerSec)} steps/s` : `${count(summary.statesPerSec)} states/s`
  const orbits = summary.symmetry ? ", one per symmetry orbit" : ""
  const stats = `${count(summary.distinctStates)} distinct states${orbits} (${count(summary.generatedStates)} generated${skipped}), ` +
    `max depth ${summary.maxDepth}, ${(summary.elapsedMs / 1000).toFixed(2)} s, ${rate}`
  switch (summary.result) {
    case "ok":
      lines.push(`ok: every property holds in all ${stats}`)
      break
    case "bounded":
      lines.push(
        summary.walks === null
          ? `bounded: no violation, but a depth or state bound cut the search short; ${stats}`
          : `bounded: no violation in ${count(summary.walks)} random walks${summary.walkers === null ? "" : ` by ${summary.walkers} walkers`}, ` +
            `which prove nothing about the states they missed; ${stats}`
      )
      break
    case "violation":
      lines.push(`violation: ${brokenClaim(summary)}; ${stats}`)
      if (summary.traceFile !== null) {
        lines.push(`trace written to ${summary.traceFile}`)
        lines.push(`  step through it in a browser: parley trace view ${summary.traceFile}`)
        if (summary.propertyKind === "always" && replayable(summary.spec, summary.config)) {
          lines.push(`  make it happen on real node processes: parley trace replay ${summary.traceFile} --cluster`)
        }
      }
      break
  }
  for (const walker of summary.perWalker ?? []) {
    lines.push(`  walker --seed ${walker.seed}: ${count(walker.walks)} walks, ${count(walker.distinctStates)} distinct states, ${count(walker.generatedStates)} steps`)
  }
  for (const name of summary.livenessUnchecked) {
    lines.push(
      summary.result === "bounded"
        ? `  warning: ${name} (liveness) was not checked: it needs the whole state graph, and a bound cut the search short`
        : `  liveness ${name}: not checked; --liveness checks it`
    )
  }
  for (const name of summary.sometimesReached) lines.push(`  sometimes ${name}: reached`)
  for (const name of summary.sometimesUnreached) {
    lines.push(
      summary.result === "ok"
        ? `  warning: sometimes ${name} was never reached; the spec may be vacuous`
        : `  sometimes ${name}: not reached before the search stopped`
    )
  }
  return lines.join("\n")
}

const brokenClaim = (summary: CheckSummary): string => {
  const steps = summary.traceLength ?? 0
  switch (summary.propertyKind) {
    case "deadlock":
      return `deadlock after ${steps} steps`
    case "eventually":
    case "leadsTo": {
      const loopStart = summary.loopStart ?? steps
      const loop = loopStart >= steps ? "then stays there forever" : `then steps ${loopStart + 1}–${steps} repeat forever`
      return `${summary.propertyKind} ${summary.property} is broken by a lasso: ${loopStart} steps, ${loop}`
    }
    default:
      return `always ${summary.property} is broken after ${steps} steps`
  }
}
