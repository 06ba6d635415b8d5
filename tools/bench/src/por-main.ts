/**
 * `npm run bench:por`: every spec `parley list` names, checked at its
 * defaults through the `parley` command as a user runs it, with each
 * reduction and without: partial-order reduction (on by default, off with
 * `--no-por`) and, where the spec declares interchangeable nodes at its
 * defaults, `--symmetry` with and without it. On one worker, so the steps
 * skipped do not depend on which thread stores a state first. One JSON line
 * per run: the verdict, distinct states (orbits with symmetry), steps taken
 * (`generatedStates`), steps skipped, elapsed and states/s; then the
 * Markdown table the README carries. Runs that differ only in
 * partial-order reduction must agree on everything but the steps and the
 * time, and a symmetric run must give the same verdict at the same depth,
 * or the benchmark fails. Each run is a fresh process. Arguments, if any,
 * pick specs by name.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const parley = fileURLToPath(new URL("../../../packages/cli/bin/parley.mjs", import.meta.url))

interface Summary {
  readonly result: string
  readonly property: string | null
  readonly traceLength: number | null
  readonly distinctStates: number
  readonly generatedStates: number
  readonly skippedTransitions: number | null
  readonly maxDepth: number
  readonly elapsedMs: number
  readonly statesPerSec: number
}

type Reductions = "none" | "por" | "symmetry" | "symmetry+por"

const flagsOf: Record<Reductions, ReadonlyArray<string>> = {
  none: ["--no-por"],
  por: ["--por"],
  symmetry: ["--symmetry", "--no-por"],
  "symmetry+por": ["--symmetry", "--por"]
}

const count = (n: number): string => n.toLocaleString("en-US")
const seconds = (ms: number): string => (ms / 1000).toFixed(1)
const time = (run: { readonly elapsedMs: number; readonly cpuMs: number | null }): string =>
  run.cpuMs === null ? seconds(run.elapsedMs) : `${seconds(run.cpuMs)} (${seconds(run.elapsedMs)})`

const run = (args: ReadonlyArray<string>): { readonly status: number | null; readonly stdout: string; readonly stderr: string } =>
  spawnSync(process.execPath, [parley, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })

/**
 * The CPU time of the run, user and system, through GNU time where it is
 * installed: on a shared machine elapsed time measures the other jobs as
 * much as the search. It includes the process's start (about 0.7 s).
 */
const TIME = "/usr/bin/time"
const timed = existsSync(TIME)

const check = (spec: string, reductions: Reductions): Summary & { readonly cpuMs: number | null } => {
  const args = [parley, "check", spec, "--workers", "1", "--json", "--trace-out", `/tmp/parley-bench-por-${spec}.trace.json`, ...flagsOf[reductions]]
  const { status, stdout, stderr } = timed
    ? spawnSync(TIME, ["-f", "cpu %U %S", process.execPath, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  // 1: a violation, which a spec's defaults may show on purpose.
  if (status !== 0 && status !== 1) throw new Error(`parley check ${spec} ${flagsOf[reductions].join(" ")} exited with ${status}: ${stderr}`)
  const cpu = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(stderr)
  const cpuMs = cpu === null ? null : Math.round(1000 * (Number(cpu[1]) + Number(cpu[2])))
  return { ...(JSON.parse(stdout.trim().split("\n").at(-1)!) as Summary), cpuMs }
}

/** Whether the spec declares interchangeable nodes at its defaults: `--symmetry` is refused (exit 2) where it does not. */
const declaresSymmetry = (spec: string): boolean => run(["check", spec, "--symmetry", "--max-states", "1", "--workers", "1", "--json"]).status !== 2

const expectSame = (spec: string, what: string, a: Summary, b: Summary, figures: ReadonlyArray<keyof Summary>) => {
  const differs = figures.filter((figure) => a[figure] !== b[figure])
  if (differs.length > 0) throw new Error(`${spec}: ${what} changed ${differs.join(", ")}: ${JSON.stringify({ a, b })}`)
}

const listed = run(["list", "--json"])
if (listed.status !== 0) throw new Error(`parley list exited with ${listed.status}: ${listed.stderr}`)
const names = (JSON.parse(listed.stdout) as ReadonlyArray<{ readonly name: string }>).map((spec) => spec.name)
const chosen = process.argv.slice(2)
const rows: Array<string> = []
for (const spec of names.filter((name) => chosen.length === 0 || chosen.includes(name))) {
  const kinds: ReadonlyArray<Reductions> = declaresSymmetry(spec) ? ["none", "por", "symmetry", "symmetry+por"] : ["none", "por"]
  const runs = new Map<Reductions, Summary & { readonly cpuMs: number | null }>()
  for (const reductions of kinds) {
    const summary = check(spec, reductions)
    runs.set(reductions, summary)
    const { result, property, traceLength, distinctStates, generatedStates, skippedTransitions, maxDepth, elapsedMs, statesPerSec, cpuMs } = summary
    console.log(JSON.stringify({ bench: "por", spec, reductions, result, property, traceLength, distinctStates, generatedStates, skippedTransitions, maxDepth, elapsedMs, cpuMs, statesPerSec: Math.round(statesPerSec) }))
  }
  const none = runs.get("none")!
  const por = runs.get("por")!
  expectSame(spec, "partial-order reduction", none, por, ["result", "property", "traceLength", "distinctStates", "maxDepth"])
  const symmetric = runs.get("symmetry")
  const both = runs.get("symmetry+por")
  if (symmetric !== undefined && both !== undefined) {
    expectSame(spec, "symmetry", none, symmetric, ["result", "property", "traceLength"])
    expectSame(spec, "partial-order reduction under symmetry", symmetric, both, ["result", "property", "traceLength", "distinctStates", "maxDepth"])
  }
  const fewer = (a: Summary, b: Summary) => `${(100 * (1 - b.generatedStates / a.generatedStates)).toFixed(0)}%`
  rows.push(`| \`${spec}\` | ${por.result}${por.property === null ? "" : ` (${por.property})`} | ${count(none.distinctStates)} | ${count(none.generatedStates)} | ` +
    `${count(por.generatedStates)} (${fewer(none, por)} fewer) | ${time(none)} | ${time(por)} | ` +
    (symmetric === undefined || both === undefined
      ? "— | — | — |"
      : `${count(symmetric.distinctStates)} | ${time(symmetric)} | ${time(both)} |`))
}
console.log(`\nTimes: ${timed ? "CPU seconds (elapsed in parentheses)" : "elapsed seconds"}, one worker, each run a fresh process.`)
console.log("\n| spec (defaults) | verdict | states | steps, --no-por | steps, --por | s, --no-por | s, --por | orbits, --symmetry | s, --symmetry --no-por | s, --symmetry --por |")
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for (const row of rows) console.log(row)
