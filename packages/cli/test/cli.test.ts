import { execFile, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { TraceFile } from "@parley/core"
import { Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { CheckSummary } from "../src/summary.ts"

const bin = fileURLToPath(new URL("../bin/parley.mjs", import.meta.url))
const workDir = mkdtempSync(join(tmpdir(), "parley-cli-"))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `parley` command in a child process, as a user would. */
const parley = (...args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: workDir, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

/** Runs parley, sends it SIGINT once `ready` holds of what it printed on stderr so far (polled), and gathers what it printed; killed after a minute regardless. */
const stopWithCtrlC = async (args: ReadonlyArray<string>, ready: (stderr: string) => boolean): Promise<Run> => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: workDir })
  const bound = setTimeout(() => child.kill("SIGKILL"), 60_000)
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += String(chunk)))
  child.stderr.on("data", (chunk) => (stderr += String(chunk)))
  const exit = new Promise<number | null>((resolve) => child.on("exit", resolve))
  while (!ready(stderr) && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20))
  child.kill("SIGINT")
  const code = await exit
  clearTimeout(bound)
  return { code: code ?? -1, stdout, stderr }
}

const summaryOf = (run: Run): CheckSummary => Schema.decodeUnknownSync(CheckSummary)(JSON.parse(run.stdout.trim()))

describe("parley list", () => {
  it("lists every spec with its options and variants", async () => {
    const run = await parley("list")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^twophase /m)
    expect(run.stdout).toMatch(/--rms /)
    expect(run.stdout).toMatch(/^2pc /m)
    expect(run.stdout).toMatch(/no-durable-decision/)
    expect(run.stdout).toMatch(/^raft /m)
    expect(run.stdout).toMatch(/commit-prior-term/)
    for (const spec of ["paxos", "multi-paxos", "lock", "zk-lock", "causal-broadcast"]) expect(run.stdout).toMatch(new RegExp(`^${spec} `, "m"))
    expect(run.stdout).toMatch(/forget-promise/)
  })

  it("finds the forget-promise bug in paxos from the command line", async () => {
    const run = await parley("check", "paxos", "--variant", "forget-promise", "--json", "--trace-out", join(workDir, "paxos.trace.json"))
    expect(run.code).toBe(1)
    expect(summaryOf(run)).toMatchObject({ spec: "paxos", result: "violation", property: "AtMostOneChosen", traceLength: 20 })
  })
})

describe("parley check", () => {
  it("exits 0 with a JSON summary when every property holds", async () => {
    const run = await parley("check", "twophase", "--rms", "3", "--json")
    expect(run.code).toBe(0)
    const summary = summaryOf(run)
    expect(summary).toMatchObject({ spec: "twophase", result: "ok", property: null, distinctStates: 288 })
    expect(summary.config).toMatchObject({ rms: 3, variant: "correct" })
  })

  it.each([
    ["twophase, whose states the workers share as words", ["twophase", "--rms", "6"], 50_816, 256_002],
    // Without partial-order reduction (--no-por: 2pc's default anyway), whose steps skipped depend on which thread stores a state first.
    ["2pc, whose states a worker rebuilds by replay when it takes another's", ["2pc", "--participants", "2", "--no-por"], 9_024, 27_540],
    ["2pc with --symmetry, one state per orbit on either", ["2pc", "--participants", "2", "--symmetry", "--no-por"], 9_023, 27_538]
  ])("finds the same states on one worker and on two: %s", async (_, args, distinct, generated) => {
    const one = summaryOf(await parley("check", ...args, "--workers", "1", "--json"))
    const two = summaryOf(await parley("check", ...args, "--workers", "2", "--json"))
    expect([one.result, one.distinctStates, one.generatedStates]).toEqual(["ok", distinct, generated])
    expect([two.result, two.distinctStates, two.generatedStates]).toEqual(["ok", distinct, generated])
  })

  it("reduces an actor spec by sleep sets with --por, not without it, with --no-por or with --liveness: the same states, fewer steps, on one thread or two", async () => {
    const check = async (...flags: ReadonlyArray<string>) => summaryOf(await parley("check", "2pc", "--participants", "2", "--json", ...flags))
    const [off, refused, one, two, live] = await Promise.all([
      check("--workers", "1"),
      check("--no-por", "--workers", "1"),
      check("--por", "--workers", "1"),
      check("--por", "--workers", "2"),
      check("--por", "--liveness", "--crashes", "0", "--workers", "1")
    ])
    expect([off.distinctStates, off.skippedTransitions, refused.skippedTransitions]).toEqual([9_024, null, null])
    expect([one.distinctStates, one.generatedStates + one.skippedTransitions!]).toEqual([9_024, off.generatedStates])
    expect(two.distinctStates).toBe(9_024)
    expect(two.skippedTransitions).toBeGreaterThan(0)
    expect(live.skippedTransitions).toBeNull()
  })

  it("reduces by sleep sets by default where the spec declares it (paxos), and not with --no-por", async () => {
    const check = async (...flags: ReadonlyArray<string>) => summaryOf(await parley("check", "paxos", "--crashes", "0", "--workers", "1", "--json", ...flags))
    const [byDefault, off] = await Promise.all([check(), check("--no-por")])
    expect([byDefault.distinctStates, off.distinctStates, off.skippedTransitions]).toEqual([18_274, 18_274, null])
    expect(byDefault.generatedStates + byDefault.skippedTransitions!).toBe(off.generatedStates)
  })

  it("finds a shortest violation of an actor spec on two threads, as on one", async () => {
    const args = ["check", "2pc", "--variant", "no-durable-decision", "--json"]
    const one = summaryOf(await parley(...args, "--workers", "1", "--trace-out", join(workDir, "one.trace.json")))
    const two = summaryOf(await parley(...args, "--workers", "2", "--trace-out", join(workDir, "two.trace.json")))
    expect([one.result, one.property, one.traceLength]).toEqual(["violation", "CoordinatorAgrees", 13])
    expect([two.result, two.property, two.traceLength]).toEqual(["violation", "CoordinatorAgrees", 13])
  })

  it("runs a swarm's walkers from the spec's worker bundle: each walker's figures are a one-thread walk's with its seed", async () => {
    const sim = ["check", "2pc", "--strategy", "sim", "--walks", "30", "--max-depth", "40", "--json"]
    const [swarm, first, second] = await Promise.all([parley(...sim, "--workers", "2", "--seed", "7"), parley(...sim, "--workers", "1", "--seed", "7"), parley(...sim, "--workers", "1", "--seed", "8")])
    // The threads ran from the bundle: none was built from source for want of one.
    expect(swarm.stderr).not.toContain("could not build")
    const alone = [first, second].map(summaryOf).map(({ distinctStates, generatedStates }) => ({ distinctStates, generatedStates }))
    expect(summaryOf(swarm).perWalker?.map(({ seed, distinctStates, generatedStates }) => ({ seed, distinctStates, generatedStates })))
      .toEqual([{ seed: 7, ...alone[0] }, { seed: 8, ...alone[1] }])
  })

  it("stops on Ctrl-C with its figures so far and a checkpoint, and --resume goes on to the same end, on another number of threads", async () => {
    const file = join(workDir, "twophase.checkpoint")
    // A checkpoint at every level's end: once the first is on disk the search is surely under way, and far from done.
    const stopped = await stopWithCtrlC(["check", "twophase", "--rms", "8", "--workers", "2", "--checkpoint", file, "--checkpoint-every", "0", "--json"], () => existsSync(file))
    expect(stopped.code).toBe(130)
    expect(JSON.parse(stopped.stdout)).toMatchObject({ result: "bounded" })
    expect(stopped.stderr).toContain(`checkpoint written to ${file}: go on with --resume ${file}`)
    const resumed = await parley("check", "twophase", "--rms", "8", "--workers", "1", "--resume", file, "--json")
    expect(resumed.code).toBe(0)
    expect(summaryOf(resumed)).toMatchObject({ result: "ok", distinctStates: 1_745_408, generatedStates: 11_657_218 })
    const other = await parley("check", "twophase", "--rms", "7", "--resume", file)
    expect(other.code).toBe(2)
    expect(other.stderr).toContain("give the same spec and options to resume it")
  })

  it.each([
    ["a depth-first search", ["--strategy", "dfs", "--workers", "1"], "stopped"],
    ["random walks", ["--strategy", "sim", "--walks", "100000000"], "stopped"],
    ["a search on two threads", ["--workers", "2"], "stopped; without --checkpoint nothing was kept"]
  ])("stops %s on Ctrl-C with its figures so far", async (_, flags, lastWords) => {
    // Stopped at its first progress line, a second into the search: TwoPhase with 9 RMs takes far longer on any strategy.
    const stopped = await stopWithCtrlC(["check", "twophase", "--rms", "9", ...flags, "--progress", "--json"], (stderr) => stderr.includes("states/s"))
    expect(stopped.code).toBe(130)
    const summary = summaryOf(stopped)
    expect(summary.result).toBe("bounded")
    expect(summary.distinctStates).toBeGreaterThan(0)
    expect(summary.distinctStates).toBeLessThan(10_340_352)
    expect(stopped.stderr.trim().split("\n").at(-1)).toBe(lastWords)
    expect(stopped.stderr).toMatch(/^  states [\d,]+  queue [\d,]+  depth \d+  [\d,]+ states\/s$/m)
  })

  it("stores one state per orbit with --symmetry: TwoPhase with 5 RMs in 314 states instead of 8,832", async () => {
    const full = summaryOf(await parley("check", "twophase", "--rms", "5", "--json"))
    const reduced = summaryOf(await parley("check", "twophase", "--rms", "5", "--symmetry", "--json"))
    expect([full.result, full.distinctStates]).toEqual(["ok", 8832])
    expect([reduced.result, reduced.distinctStates]).toEqual(["ok", 314])
  })

  it("exits 1 on a violation, writes a trace that decodes, and the trace renders", async () => {
    const traceFile = join(workDir, "2pc.trace.json")
    const run = await parley("check", "2pc", "--variant", "no-durable-decision", "--workers", "1", "--json", "--trace-out", traceFile)
    expect(run.code).toBe(1)
    const summary = summaryOf(run)
    expect(summary.result).toBe("violation")
    expect(summary.traceFile).toBe(traceFile)
    const trace = Schema.decodeUnknownSync(TraceFile)(JSON.parse(readFileSync(traceFile, "utf8")))
    expect(trace.property.name).toBe(summary.property)
    expect(trace.steps).toHaveLength(summary.traceLength ?? -1)
    expect(trace.steps.some((s) => s.event._tag === "Crash" && s.event.node === "coordinator")).toBe(true)

    const shown = await parley("trace", "show", traceFile)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("coordinator")
    expect(shown.stdout).toContain(summary.property ?? "?")
  })

  it("runs random walks with --strategy sim, reproducibly from --seed, and finds a bug with them", async () => {
    const args = ["check", "raft", "--strategy", "sim", "--walks", "300", "--seed", "11", "--json"]
    const [first, again] = [await parley(...args), await parley(...args)]
    expect(first.code).toBe(0)
    const summary = summaryOf(first)
    expect(summary).toMatchObject({ strategy: "sim", walks: 300, result: "bounded" })
    expect(summaryOf(again).distinctStates).toBe(summary.distinctStates)
    const buggy = await parley("check", "paxos", "--variant", "forget-promise", "--strategy", "sim", "--walks", "20000", "--seed", "1", "--json",
      "--trace-out", join(workDir, "paxos-sim.trace.json"))
    expect(buggy.code).toBe(1)
    expect(summaryOf(buggy)).toMatchObject({ result: "violation", property: "AtMostOneChosen" })
  })

  it("runs a swarm with --strategy sim --workers 2, a seed a walker, whose counterexample renders with trace show", async () => {
    const traceFile = join(workDir, "raft-swarm.trace.json")
    const run = await parley("check", "raft", "--variant", "forget-vote", "--strategy", "sim", "--workers", "2", "--walks", "3000", "--max-depth", "100",
      "--seed", "1", "--json", "--trace-out", traceFile)
    expect(run.code).toBe(1)
    const summary = summaryOf(run)
    expect(summary).toMatchObject({ strategy: "sim", walkers: 2, result: "violation", property: "ElectionSafety" })
    expect(summary.perWalker?.map((walker) => walker.seed)).toEqual([1, 2])
    expect(summary.stepsPerSec).toBeGreaterThan(0)
    const shown = await parley("trace", "show", traceFile)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("ElectionSafety does not hold")
  })

  it("checks a profile's options as their defaults, and an option given explicitly wins, at the declared default too", async () => {
    const run = await parley("check", "raft", "--profile", "runtime", "--max-states", "500", "--workers", "1")
    expect(run.stdout.split("\n")[0]).toMatch(/ clients=2 requests=1 retries=0 max-term=1 .*lossy=true prevote=true checkquorum=true .*profile=runtime /)
    const json = summaryOf(await parley("check", "raft", "--profile", "runtime", "--max-term", "2", "--max-states", "500", "--workers", "1", "--json"))
    expect([json.config["max-term"], json.checked["max-term"], json.config.clients]).toEqual([2, 2, 2])
  })

  it("checks liveness only with --liveness, and shows 2PC's blocking as a lasso", async () => {
    const quiet = await parley("check", "2pc", "--participants", "2", "--json")
    expect(quiet.code).toBe(0)
    expect(summaryOf(quiet)).toMatchObject({ result: "ok", livenessUnchecked: ["PreparedDecides", "LiveParticipantsDecide"] })

    const traceFile = join(workDir, "2pc-live.trace.json")
    const run = await parley("check", "2pc", "--participants", "2", "--liveness", "--json", "--trace-out", traceFile)
    expect(run.code).toBe(1)
    const summary = summaryOf(run)
    expect(summary).toMatchObject({ result: "violation", property: "PreparedDecides", propertyKind: "leadsTo", livenessUnchecked: [] })
    expect(summary.loopStart).toBe(summary.traceLength)
    const trace = Schema.decodeUnknownSync(TraceFile)(JSON.parse(readFileSync(traceFile, "utf8")))
    expect(trace.loopStart).toBe(trace.steps.length)
    const shown = await parley("trace", "show", traceFile)
    expect(shown.stdout).toContain("coordinator crashes")
    expect(shown.stdout).toContain("may stay in the state after step")

    const holds = await parley("check", "2pc", "--participants", "2", "--crashes", "0", "--liveness", "--json")
    expect(holds.code).toBe(0)
    expect(summaryOf(holds)).toMatchObject({ result: "ok", livenessUnchecked: [] })
  })

  it("shows a raft counterexample readably: two leaders of one term after a restarted voter forgot its vote", async () => {
    const traceFile = join(workDir, "raft.trace.json")
    // One worker: with several, which of the shortest counterexamples is reported may vary.
    // One term, any node may crash, no bound on messages or logs: the configuration whose counterexample this pins.
    const oneTerm = ["--max-term", "1", "--crashable", "3", "--max-in-flight", "0", "--max-log", "0"]
    const run = await parley("check", "raft", "--variant", "forget-vote", "--clients", "0", "--crashes", "1", ...oneTerm, "--workers", "1", "--json", "--trace-out", traceFile)
    expect(run.code).toBe(1)
    expect(summaryOf(run)).toMatchObject({ result: "violation", property: "ElectionSafety", traceLength: 8 })
    const shown = await parley("trace", "show", traceFile)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain("n2 crashes")
    expect(shown.stdout).toContain("votedFor: null → \"n3\"")
    expect(shown.stdout).toMatch(/n3\.role: "candidate" → "leader"/)
  })

  it.each([
    [["check", "zab"], /unknown spec "zab"; the specs are: twophase, 2pc, raft, paxos, multi-paxos, lock, zk-lock, causal-broadcast/],
    [["check", "raft", "--network", "lossy"], /--network for spec raft must be one of unordered, duplicating, ordered, got "lossy"/],
    [["check", "raft", "--max-term", "0"], /--max-term for spec raft must be an integer from 1 to/],
    [["check", "twophase", "--participants", "2"], /spec twophase has no option --participants; its options: --rms/],
    [["check", "twophase", "--rms", "0"], /--rms for spec twophase must be an integer from 1 to/],
    [["check", "twophase", "--variant", "bogus"], /spec twophase has no variant "bogus"; its variants: correct/],
    [["check", "twophase", "--max-depth", "0"], /--max-depth must be a positive integer, got 0/],
    [["check", "twophase", "--frobnicate"], /frobnicate/],
    [["check", "twophase", "--walks", "10"], /--walks goes with --strategy sim, not bfs/],
    [["check", "twophase", "--prefer-new"], /--prefer-new goes with --strategy sim, not bfs/],
    [["check", "raft", "--retries", "1", "--symmetry"], /raft declares no interchangeable nodes/],
    [["check", "twophase", "--workers", "2", "--strategy", "dfs"], /--workers above 1 goes with --strategy bfs/],
    [["check", "twophase", "--workers", "0"], /--workers must be a positive integer, got 0/],
    [["check", "2pc", "--symmetry", "--liveness"], /--symmetry and --liveness do not go together/],
    [["check", "twophase", "--strategy", "sim", "--walks", "0"], /--walks must be a positive integer, got 0/],
    [["check", "twophase", "--strategy", "walk"], /walk/],
    [["trace", "show", "no-such-file.json"], /no-such-file\.json/]
  ])("exits 2 on bad usage %j and names the problem", async (args, message) => {
    const run = await parley(...args)
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toMatch(message)
  })

  it("exits 2 on a trace file that is not a trace, saying why", async () => {
    const bad = join(workDir, "bad.json")
    writeFileSync(bad, JSON.stringify({ format: "parley-trace/1", spec: "2pc" }))
    const run = await parley("trace", "show", bad)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/steps|config|property|initial/)
  })
})
