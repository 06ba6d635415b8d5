import { defineConfig } from "vitest/config"

// Raft's exhaustive checks take up to a couple of minutes on a busy machine; the default 5 s limit would fail them.
export default defineConfig({ test: { testTimeout: 300_000 } })
