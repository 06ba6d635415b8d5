/**
 * `npm run bench:worker-start`: what a checker worker thread costs before
 * it takes any state, started as `parley check --workers N` starts it, from
 * source under tsx and from the spec's worker bundle
 * (`packages/cli/bin/worker-bundle.mjs`). Each thread is a swarm walker
 * given one walk of one step, so its first message comes as soon as it has
 * loaded its code and built the model: the time from `new Worker` to that
 * message, and the thread's CPU time then. One JSON line per spec and way,
 * the median of `RUNS` threads started one after another; then the bundle's
 * figures over the source's. Arguments, if any, pick specs by name.
 */
import { startThread } from "@parley/checker"
import type { ModelSource } from "@parley/checker"
import { registry } from "@parley/cli/registry"
import { workerSource } from "@parley/cli/worker-source"
import { defaultConfig } from "@parley/core"

const RUNS = 5
const SPECS = ["2pc", "raft", "multi-paxos"]

interface Start {
  readonly ms: number
  readonly cpuMs: number
}

/** One thread's start: from `new Worker` to its first message, and its CPU time then. */
const startOnce = (source: ModelSource): Promise<Start> =>
  new Promise((resolve, reject) => {
    const startedAt = performance.now()
    const worker = startThread({ role: "walk", setup: { source, options: { strategy: "sim", walks: 1, maxDepth: 1, seed: 1 } } })
    worker.once("error", reject)
    worker.once("message", async () => {
      const ms = performance.now() - startedAt
      const { user, system } = await worker.cpuUsage()
      await worker.terminate()
      resolve({ ms, cpuMs: (user + system) / 1000 })
    })
  })

const median = (values: ReadonlyArray<number>): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const measure = async (source: ModelSource): Promise<Start> => {
  const starts: Array<Start> = []
  for (let run = 0; run < RUNS; run++) starts.push(await startOnce(source))
  return { ms: Math.round(median(starts.map((s) => s.ms))), cpuMs: Math.round(median(starts.map((s) => s.cpuMs))) }
}

const chosen = process.argv.slice(2)
for (const name of chosen.length === 0 ? SPECS : chosen) {
  const spec = registry.find((candidate) => candidate.name === name)
  if (spec === undefined) throw new Error(`no spec named ${name}`)
  const bundled = await workerSource(spec, defaultConfig(spec))
  if (bundled.bundle === undefined) throw new Error(`no worker bundle for ${name}`)
  const { bundle: _, ...fromSource } = bundled
  const source = await measure(fromSource)
  console.log(JSON.stringify({ bench: "worker-start", spec: name, from: "source", runs: RUNS, ...source }))
  const bundle = await measure(bundled)
  console.log(JSON.stringify({ bench: "worker-start", spec: name, from: "bundle", runs: RUNS, ...bundle }))
  console.log(JSON.stringify({ bench: "worker-start-ratio", spec: name, msOverSource: Number((bundle.ms / source.ms).toFixed(2)), cpuOverSource: Number((bundle.cpuMs / source.cpuMs).toFixed(2)) }))
}
