import { defineConfig } from "vitest/config"

// Exhaustive checks and real clusters take seconds; the default 5 s limit would fail them on a busy machine, and a test cut off leaves its cleanup to the hooks.
// Two files at once: most of these tests wait on processes (clusters, `parley` runs) rather than compute, and each picks its own free block of ports.
export default defineConfig({ test: { testTimeout: 120_000, maxWorkers: 2 } })
