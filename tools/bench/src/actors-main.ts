/**
 * `npm run bench:actors`: specs written as actors (their states kept as
 * words of hash-consed parts, see `tools/checker/src/system-store.ts`)
 * checked exhaustively through the `parley` command as a user runs it, on
 * one worker and on two, one JSON line each: distinct states, elapsed,
 * states/s, the process's peak resident memory and that per distinct state
 * (the runtime's own hundred-odd megabytes included), its CPU time, and on
 * two workers what each thread did (see `ThreadFigures`); then the
 * two-worker speedup, and the CPU two workers spent over one's: on a machine
 * shared with other jobs the steadier figure (two workers at 1.2 times one's
 * CPU, with little waiting, make 1.6 times the speed on two free cores).
 * Each run is a fresh process, and its line gives the machine's load
 * average as it ended. Arguments, if any, pick specs by name.
 *
 * Each run's CPU time is also split where Linux tells: the main thread's,
 * each worker thread's (`workerCpuMs`), and V8's helper threads'
 * (`v8HelpersCpuMs`: the optimising compilers and the collector, of every
 * isolate). One worker's search leaves the helpers a core of their own;
 * two workers share both cores with them, so two workers' wall time is at
 * least their whole CPU time over two (see `docs/figures.md`).
 */
import { spawnSync } from "node:child_process"
import { loadavg } from "node:os"
import { fileURLToPath } from "node:url"

const parley = fileURLToPath(new URL("../../../packages/cli/bin/parley.mjs", import.meta.url))
const peakMemory = fileURLToPath(new URL("./peak-memory.ts", import.meta.url))

const configurations: ReadonlyArray<{ readonly spec: string; readonly options: ReadonlyArray<string> }> = [
  // Raft's default before issue 15 (one term, no crash): the configuration the before/after figures compare.
  { spec: "raft", options: ["--max-term", "1", "--crashes", "0", "--retries", "1", "--max-in-flight", "0"] },
  { spec: "raft", options: [] },
  { spec: "raft", options: ["--clients", "0", "--max-term", "2"] },
  { spec: "multi-paxos", options: [] },
  { spec: "2pc", options: [] },
  { spec: "saga-choreography", options: [] }
]

interface Summary {
  readonly result: string
  readonly distinctStates: number
  readonly elapsedMs: number
  readonly statesPerSec: number
  readonly perThread: ReadonlyArray<{ readonly cpuMs: number; readonly waitMs: number; readonly expanded: number; readonly replaySteps: number }> | null
}

const chosen = process.argv.slice(2)
for (const { spec, options } of configurations.filter((c) => chosen.length === 0 || chosen.includes(c.spec))) {
  const rates: Array<number> = []
  const cpu: Array<number> = []
  for (const workers of ["1", "2"]) {
    const run = spawnSync(process.execPath, ["--import", peakMemory, parley, "check", spec, ...options, "--workers", workers, "--json"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    if (run.status !== 0) throw new Error(`parley check ${spec} exited with ${run.status}: ${run.stderr}`)
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Summary
    const { peakRssBytes, cpuMs, mainThreadCpuMs, v8HelpersCpuMs } = JSON.parse(run.stderr.trim().split("\n").at(-1)!) as {
      readonly peakRssBytes: number
      readonly cpuMs: number
      readonly mainThreadCpuMs?: number | null
      readonly v8HelpersCpuMs?: number
    }
    rates.push(summary.statesPerSec)
    cpu.push(cpuMs)
    console.log(JSON.stringify({
      bench: "actors",
      spec,
      options: options.join(" "),
      workers: Number(workers),
      result: summary.result,
      distinctStates: summary.distinctStates,
      elapsedMs: Math.round(summary.elapsedMs),
      statesPerSec: Math.round(summary.statesPerSec),
      cpuMs,
      ...(mainThreadCpuMs === undefined ? {} : { mainThreadCpuMs, v8HelpersCpuMs }),
      peakRssMB: Math.round(peakRssBytes / 2 ** 20),
      // The machine's one-minute load at the run's end: above about 0.5, its times are a busy machine's.
      load: Number(loadavg()[0]!.toFixed(2)),
      rssBytesPerState: Math.round(peakRssBytes / summary.distinctStates),
      ...(summary.perThread === null ? {} : {
        workerCpuMs: summary.perThread.slice(1).map((thread) => thread.cpuMs),
        waitMs: summary.perThread.map((thread) => thread.waitMs),
        expanded: summary.perThread.map((thread) => thread.expanded),
        replaySteps: summary.perThread.map((thread) => thread.replaySteps)
      })
    }))
  }
  console.log(JSON.stringify({ bench: "actors-speedup", spec, options: options.join(" "), twoWorkersOverOne: Number((rates[1]! / rates[0]!).toFixed(2)), twoWorkersCpuOverOne: Number((cpu[1]! / cpu[0]!).toFixed(2)) }))
}
