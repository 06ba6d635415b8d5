/**
 * SPIN on the same TwoPhase model, when `spin` (Debian package `spin`) and a
 * C compiler are on the PATH: the Promela transcription is generated, turned
 * into a verifier by `spin -a`, compiled with `-O2 -DSAFETY -DNOREDUCE -DBFS`
 * (exhaustive breadth-first search, no partial-order reduction, as ours) and
 * run; the states it stored and its own elapsed time are read from its report.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { twoPhasePromela } from "./twophase-promela.ts"

export interface SpinRun {
  readonly distinctStates: number
  readonly elapsedMs: number
  readonly statesPerSec: number
  readonly memoryMB: number
}

export const spinAvailable = (): boolean =>
  spawnSync("spin", ["-V"], { stdio: "ignore" }).status === 0 && spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0

/** SPIN's hash table as a power of two: about twice TwoPhase's states (about 6.3^rms). */
const hashBits = (rms: number): number => Math.min(30, Math.ceil(2.66 * rms) + 1)

export const runSpin = (rms: number): SpinRun => {
  const dir = mkdtempSync(join(tmpdir(), "parley-spin-"))
  try {
    writeFileSync(join(dir, "twophase.pml"), twoPhasePromela(rms))
    execFileSync("spin", ["-a", "twophase.pml"], { cwd: dir, stdio: "ignore" })
    execFileSync("cc", ["-O2", "-DSAFETY", "-DNOREDUCE", "-DBFS", "-DMEMLIM=8192", "-o", "pan", "pan.c"], { cwd: dir, stdio: "ignore" })
    const report = execFileSync("./pan", [`-w${hashBits(rms)}`], { cwd: dir, encoding: "utf8" })
    const figure = (pattern: RegExp, what: string): number => {
      const match = pattern.exec(report)
      if (match === null) throw new Error(`SPIN's report has no ${what}:\n${report}`)
      return Number(match[1])
    }
    if (!/errors: 0/.test(report)) throw new Error(`SPIN found an error in TwoPhase, which has none:\n${report}`)
    const distinctStates = figure(/(\d+) states, stored/, "states stored")
    const elapsedMs = figure(/elapsed time ([\d.e+-]+) seconds/, "elapsed time") * 1000
    return {
      distinctStates,
      elapsedMs,
      statesPerSec: elapsedMs > 0 ? (distinctStates * 1000) / elapsedMs : 0,
      memoryMB: figure(/([\d.]+)\s+total actual memory usage/, "memory usage")
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
