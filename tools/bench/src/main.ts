/**
 * `npm run bench`: TwoPhase exhaustively for 6, 7 and 8 resource managers
 * (or the sizes given), on one worker and on two, one JSON line each with
 * distinct states, states/s, bytes per state (table, frontier, both) and
 * peak memory, then the two-worker speedup per size; and, when SPIN is
 * installed, SPIN on the same model with both rates side by side. Each run gets a fresh process so that
 * one run's garbage and peak memory do not colour the next.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { runSpin, spinAvailable } from "./spin/spin-run.ts"

const runner = fileURLToPath(new URL("./twophase-run.ts", import.meta.url))
const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["6", "7", "8"]
const withSpin = spinAvailable()
if (!withSpin) console.error("spin or cc is not on the PATH (Debian: apt-get install spin gcc): SPIN's figures are left out")

for (const rms of sizes) {
  const rates: Array<number> = []
  for (const workers of ["1", "2"]) {
    const line = execFileSync(process.execPath, ["--import", "tsx", runner, rms, workers], { encoding: "utf8" })
    process.stdout.write(line)
    rates.push((JSON.parse(line) as { statesPerSec: number }).statesPerSec)
  }
  console.log(JSON.stringify({ bench: "twophase-speedup", rms: Number(rms), twoWorkersOverOne: Number((rates[1]! / rates[0]!).toFixed(2)) }))
  if (!withSpin) continue
  const spin = runSpin(Number(rms))
  console.log(JSON.stringify({
    bench: "spin-twophase",
    rms: Number(rms),
    distinctStates: spin.distinctStates,
    elapsedMs: Math.round(spin.elapsedMs),
    statesPerSec: Math.round(spin.statesPerSec),
    memoryMB: Math.round(spin.memoryMB),
    parleyOneWorkerOverSpin: Number((rates[0]! / spin.statesPerSec).toFixed(2)),
    parleyTwoWorkersOverSpin: Number((rates[1]! / spin.statesPerSec).toFixed(2))
  }))
}
