import { defineConfig } from "vitest/config"

// Exhaustive checks and real clusters take seconds; the default 5 s limit would fail them on a busy machine, and a test cut off leaves its cleanup to the hooks.
export default defineConfig({ test: { testTimeout: 120_000 } })
