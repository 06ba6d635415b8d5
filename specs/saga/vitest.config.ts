import { defineConfig } from "vitest/config"

// Exhaustive checker runs take seconds; the default 5 s limit would make a busy machine fail them.
export default defineConfig({ test: { testTimeout: 120_000 } })
