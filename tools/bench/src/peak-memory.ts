/**
 * Loaded with `node --import` into a process a benchmark starts: on exit it
 * writes the process's peak resident memory and its CPU time (user and
 * system, start-up included), worker threads included, to stderr as one
 * JSON line, which the benchmark reads.
 */
process.on("exit", () => {
  const usage = process.resourceUsage()
  process.stderr.write(`\n${JSON.stringify({ peakRssBytes: usage.maxRSS * 1024, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) })}\n`)
})
