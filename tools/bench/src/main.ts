/**
 * `npm run bench`: TwoPhase exhaustively for 6, 7 and 8 resource managers,
 * one JSON line each with distinct states, states/s and peak memory.
 * Each run gets a fresh process so that one run's garbage and peak memory
 * do not colour the next.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

const runner = fileURLToPath(new URL("./twophase-run.ts", import.meta.url))
const sizes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["6", "7", "8"]

for (const rms of sizes) {
  const line = execFileSync(process.execPath, ["--import", "tsx", runner, rms], { encoding: "utf8" })
  process.stdout.write(line)
}
