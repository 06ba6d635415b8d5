/**
 * One measured run, in a process of its own so that its peak memory is its
 * own: checks TwoPhase with the RM count given as argument and prints one
 * JSON line.
 */
import { check } from "@parley/checker"
import { twoPhaseModel } from "@parley/twophase"

const rms = Number(process.argv[2])
if (!Number.isInteger(rms) || rms < 1) {
  console.error(`usage: twophase-run.ts RMS (a positive integer), got ${JSON.stringify(process.argv[2])}`)
  process.exit(2)
}

const result = check(twoPhaseModel(rms), { strategy: "bfs" })
console.log(JSON.stringify({
  bench: "twophase",
  rms,
  workers: 1,
  result: result.result,
  distinctStates: result.distinctStates,
  generatedStates: result.generatedStates,
  elapsedMs: Math.round(result.elapsedMs),
  statesPerSec: Math.round(result.statesPerSec),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024)
}))
