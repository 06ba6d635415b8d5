/**
 * `npm run bench:por`: every spec `parley list` names, checked at its
 * defaults through the `parley` command as a user runs it, with partial-order
 * reduction (`--por`) and without it, on one worker so the steps
 * skipped do not depend on which thread stores a state first. One JSON line
 * per run: the verdict, distinct states, steps taken (`generatedStates`),
 * steps skipped, elapsed and states/s; then the Markdown table the README
 * carries. The two runs of a spec must agree on everything but the steps
 * and the time, or the benchmark fails. Each run is a fresh process.
 * Arguments, if any, pick specs by name.
 */
import { spawnSync } from "node:child_process"
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

const count = (n: number): string => n.toLocaleString("en-US")
const seconds = (ms: number): string => (ms / 1000).toFixed(1)

const run = (args: ReadonlyArray<string>): { readonly status: number | null; readonly stdout: string; readonly stderr: string } =>
  spawnSync(process.execPath, [parley, ...args], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })

const check = (spec: string, reduced: boolean): Summary => {
  const { status, stdout, stderr } = run(["check", spec, "--workers", "1", "--json", "--trace-out", `/tmp/parley-bench-por-${spec}.trace.json`, ...(reduced ? ["--por"] : [])])
  // 1: a violation, which a spec's defaults may show on purpose.
  if (status !== 0 && status !== 1) throw new Error(`parley check ${spec} exited with ${status}: ${stderr}`)
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Summary
}

const listed = run(["list", "--json"])
if (listed.status !== 0) throw new Error(`parley list exited with ${listed.status}: ${listed.stderr}`)
const names = (JSON.parse(listed.stdout) as ReadonlyArray<{ readonly name: string }>).map((spec) => spec.name)
const chosen = process.argv.slice(2)
const rows: Array<string> = []
for (const spec of names.filter((name) => chosen.length === 0 || chosen.includes(name))) {
  const off = check(spec, false)
  const on = check(spec, true)
  for (const [por, summary] of [["off", off], ["on", on]] as const) {
    const { result, property, distinctStates, generatedStates, skippedTransitions, maxDepth, elapsedMs, statesPerSec } = summary
    console.log(JSON.stringify({ bench: "por", spec, por, result, property, distinctStates, generatedStates, skippedTransitions, maxDepth, elapsedMs, statesPerSec: Math.round(statesPerSec) }))
  }
  const same = ["result", "property", "traceLength", "distinctStates", "maxDepth"] as const
  const differs = same.filter((figure) => off[figure] !== on[figure])
  if (differs.length > 0) throw new Error(`${spec}: partial-order reduction changed ${differs.join(", ")}: ${JSON.stringify({ off, on })}`)
  const fewer = 1 - on.generatedStates / off.generatedStates
  rows.push(`| \`${spec}\` | ${on.result}${on.property === null ? "" : ` (${on.property})`} | ${count(on.distinctStates)} | ${count(off.generatedStates)} | ` +
    `${count(on.generatedStates)} | ${(100 * fewer).toFixed(0)}% | ${seconds(off.elapsedMs)} | ${seconds(on.elapsedMs)} |`)
}
console.log("\n| spec (defaults) | verdict | states (both) | steps, without | steps, --por | fewer | s, without | s, --por |")
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for (const row of rows) console.log(row)
