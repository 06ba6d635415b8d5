/**
 * Loaded with `node --import` into a process a benchmark starts: on exit it
 * writes the process's peak resident memory and its CPU time (user and
 * system, of every thread: worker threads, the collector's and the
 * loader's included) to stderr as one JSON line, which the benchmark reads.
 */
process.on("exit", () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage()
  process.stderr.write(`\n${JSON.stringify({ peakRssBytes: maxRSS * 1024, cpuMs: Math.round((userCPUTime + systemCPUTime) / 1000) })}\n`)
})
