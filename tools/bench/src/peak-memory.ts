/**
 * Loaded with `node --import` into a process a benchmark starts: on exit it
 * writes the process's peak resident memory, worker threads included, to
 * stderr as one JSON line, which the benchmark reads.
 */
process.on("exit", () => {
  process.stderr.write(`\n${JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`)
})
