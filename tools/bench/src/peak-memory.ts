/**
 * Loaded with `node --import` into a process a benchmark starts: on exit it
 * writes the process's peak resident memory and its CPU time (user and
 * system, of every thread: worker threads, the collector's and the
 * loader's included) to stderr as one JSON line, which the benchmark reads.
 *
 * Where Linux tells (`/proc/self/task`), the line also splits the CPU time
 * of the threads still running at exit by role: the main thread's, and V8's
 * helper threads' (named `V8Worker`: the optimising compilers and the
 * collector's parallel and concurrent work, for every isolate of the
 * process). A worker thread of a search has ended by then; its own time is
 * what is left, and the search reports it (`perThread`).
 */
import { readdirSync, readFileSync } from "node:fs"

/** Clock ticks a second, as `/proc` counts them: 100 on every Linux Node supports. */
const TICKS_PER_SECOND = 100

/** CPU milliseconds of this process's live threads by name, or undefined where `/proc` is not there. */
const threadCpuByName = (): Record<string, number> | undefined => {
  try {
    const byName: Record<string, number> = {}
    for (const task of readdirSync("/proc/self/task")) {
      const name = readFileSync(`/proc/self/task/${task}/comm`, "utf8").trim()
      const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8")
      // Fields after the name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      byName[name] = (byName[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
    }
    return byName
  } catch {
    return undefined
  }
}

process.on("exit", () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage()
  const threads = threadCpuByName()
  process.stderr.write(`\n${JSON.stringify({
    peakRssBytes: maxRSS * 1024,
    cpuMs: Math.round((userCPUTime + systemCPUTime) / 1000),
    ...(threads === undefined ? {} : { mainThreadCpuMs: threads["MainThread"] ?? null, v8HelpersCpuMs: threads["V8Worker"] ?? 0 })
  })}\n`)
})
