/**
 * One measured run, in a process of its own so that its peak memory is its
 * own: checks TwoPhase with the RM count given as argument, on the given
 * number of threads (1: the sequential search; N: the main thread and N-1
 * workers), and prints one JSON line.
 */
import { check, checkParallel } from "@parley/checker"
import { twoPhaseModel, twoPhaseSpec } from "@parley/twophase"

const [rms, workers] = [Number(process.argv[2]), Number(process.argv[3] ?? 1)]
if (!Number.isInteger(rms) || rms < 1 || !Number.isInteger(workers) || workers < 1) {
  console.error(`usage: twophase-run.ts RMS [WORKERS] (positive integers), got ${JSON.stringify(process.argv.slice(2))}`)
  process.exit(2)
}

// The spec's own module, which loads less into each worker than the package's index.
const source = { module: twoPhaseSpec.module!, export: "twoPhaseModelFrom", input: { rms } }
const result = workers === 1 ? check(twoPhaseModel(rms), { strategy: "bfs" }) : await checkParallel(source, { strategy: "bfs" }, workers)
const perState = (bytes: number): number => Number((bytes / result.distinctStates).toFixed(1))
console.log(JSON.stringify({
  bench: "twophase",
  rms,
  workers,
  result: result.result,
  distinctStates: result.distinctStates,
  generatedStates: result.generatedStates,
  elapsedMs: Math.round(result.elapsedMs),
  statesPerSec: Math.round(result.statesPerSec),
  tableBytesPerState: perState(result.tableBytes),
  // The levels' buffers only grow, so their size at the end is the frontier's peak.
  frontierBytesPerState: perState(result.frontierBytes ?? 0),
  allBytesPerState: perState(result.tableBytes + (result.frontierBytes ?? 0)),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
}))
