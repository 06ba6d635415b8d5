/**
 * `npm run bench`: TwoPhase exhaustively for 6, 7 and 8 resource managers
 * (or the sizes given), on one worker and on two, one JSON line each with
 * distinct states, states/s, table bytes per state and peak memory, then the
 * two-worker speedup per size. Each run gets a fresh process so that one
 * run's garbage and peak memory do not colour the next.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const runner = fileURLToPath(new URL("./twophase-run.ts", import.meta.url))
const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["6", "7", "8"]

for (const rms of sizes) {
  const rates: Array<number> = []
  for (const workers of ["1", "2"]) {
    const line = execFileSync(process.execPath, ["--import", "tsx", runner, rms, workers], { encoding: "utf8" })
    process.stdout.write(line)
    rates.push((JSON.parse(line) as { statesPerSec: number }).statesPerSec)
  }
  console.log(JSON.stringify({ bench: "twophase-speedup", rms: Number(rms), twoWorkersOverOne: Number((rates[1]! / rates[0]!).toFixed(2)) }))
}
