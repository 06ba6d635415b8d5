import type { TraceFile } from "@parley/core"
import { describe, expect, it } from "vitest"
import { escapeMermaid, renderMermaid } from "../src/index.ts"
import { twoPhaseTrace } from "./fixture.ts"

describe("renderMermaid", () => {
  it("draws the fixture as a sequence diagram", () => {
    expect(renderMermaid(twoPhaseTrace).split("\n")).toEqual([
      "sequenceDiagram",
      "  title twophase (participants=2, lossy=true): violates Consistent (always)",
      "  participant coordinator",
      "  participant p1",
      "  participant p2",
      `  Note over coordinator: initial {phase: "init", votes: [], decision: null}`,
      `  Note over p1: initial {phase: "working"}`,
      `  Note over p2: initial {phase: "working"}`,
      "  Note over coordinator: ⏰ timer start",
      `  Note over coordinator: phase: "init" → "waiting"`,
      "  coordinator->>p1: Prepare",
      `  Note over p1: phase: "working" → "prepared"`,
      "  p1->>coordinator: Vote(yes)",
      `  Note over coordinator: votes: [] → ["p1"]`,
      "  coordinator-xp2: Prepare (lost)",
      "  Note over p2: 💥 CRASH",
      `  Note over p2: DOWN, keeps durable {phase: "working"}`,
      "  Note over p2: ↻ restart",
      `  Note over p2: up again: {phase: "working"}`,
      "  Note over coordinator: ⏰ timer timeout",
      `  Note over coordinator: phase: "waiting" → "done"<br/>decision: null → "abort"`,
      "  Note over p1: • decide commit",
      `  Note over p1: phase: "prepared" → "committed"`,
      "  Note over coordinator,p2: ✗ Consistent does not hold after step 8"
    ])
  })

  it("wraps a lasso's cycle in a loop block", () => {
    const lines = renderMermaid({ ...twoPhaseTrace, loopStart: 6 }).split("\n")
    const begin = lines.indexOf("  loop steps 7–8 repeat forever")
    expect(begin).toBeGreaterThan(0)
    expect(lines[begin + 1]).toBe("    Note over coordinator: ⏰ timer timeout")
    expect(lines.at(-2)).toBe("  end")
  })

  it("escapes what Mermaid would misread and aliases awkward lane names", () => {
    const trace: TraceFile = {
      format: "parley-trace/1",
      spec: "weird",
      config: {},
      property: { name: "Safe", kind: "always" },
      initial: { "rm-1": { note: "a;b" }, end: 0 },
      steps: [{
        action: "send",
        event: { _tag: "Deliver", from: "rm-1", to: "end", message: "Put<#1>; x" },
        lanes: { "rm-1": { note: "a;b" }, end: 1 }
      }]
    }
    const lines = renderMermaid(trace).split("\n")
    expect(lines).toContain("  participant lane0 as rm-1")
    expect(lines).toContain("  participant lane1 as end")
    expect(lines).toContain(`  Note over lane0: initial {note: "a#59;b"}`)
    expect(lines).toContain("  lane0->>lane1: Put#lt;#35;1#gt;#59; x")
    expect(lines).toContain("  Note over lane1: 0 → 1")
  })

  it("escapes in one pass, so entity codes are not escaped again", () => {
    expect(escapeMermaid("a#b;c")).toBe("a#35;b#59;c")
    expect(escapeMermaid("line\nbreak")).toBe("line break")
  })
})
