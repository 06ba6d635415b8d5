import type { TraceFile } from "@parley/core"
import { describe, expect, it } from "vitest"
import { renderSwimLanes } from "../src/index.ts"
import { twoPhaseTrace } from "./fixture.ts"

const ANSI = /\x1b\[/

const lines = (trace: TraceFile = twoPhaseTrace, width?: number): ReadonlyArray<string> =>
  renderSwimLanes(trace, width === undefined ? {} : { width }).split("\n")

/** The lines of step `n`: its number and action, its event row, what it sent and changed. */
const step = (n: number, output = lines()): ReadonlyArray<string> => {
  const start = output.findIndex((line) => line.startsWith(`${String(n).padStart(4)}  `))
  expect(start).toBeGreaterThanOrEqual(0)
  const end = output.findIndex((line, i) => i > start && /^ {0,3}\d+ {2}/.test(line))
  return output.slice(start, end === -1 ? undefined : end)
}

/** The first row of bare lane lines, right under the lane names. */
const firstBars = (output: ReadonlyArray<string>): number => output.findIndex((line) => /^ *[│┆][ │┆]*$/.test(line))

/** Where each lane's line runs: the columns of the bars under the lane names. */
const laneColumns = (output = lines()): ReadonlyArray<number> =>
  [...output[firstBars(output)] ?? ""].flatMap((char, i) => char === "│" || char === "┆" ? [i] : [])

/** The row of lane names. */
const laneNamesRow = (output = lines()): string => output[firstBars(output) - 1] ?? ""

const eventRow = (n: number): string => step(n)[1] ?? ""

describe("renderSwimLanes", () => {
  it("heads the diagram with spec, config and the property violated", () => {
    const [title, property] = lines()
    expect(title).toBe("Trace of twophase (participants=2, lossy=true), 8 steps")
    expect(property).toBe("violates Consistent (always): the last state breaks this invariant")
  })

  it("prints the initial state in full, one line per lane", () => {
    const output = lines()
    const at = output.indexOf("Initial state")
    expect(output.slice(at + 1, at + 4)).toEqual([
      `  coordinator  {phase: "init", votes: [], decision: null}`,
      `  p1           {phase: "working"}`,
      `  p2           {phase: "working"}`
    ])
  })

  it("draws one lane per node, in the initial state's order", () => {
    const output = lines()
    const [coordinator, p1, p2] = laneColumns(output)
    expect(laneColumns(output)).toHaveLength(3)
    const header = laneNamesRow(output)
    expect(header.indexOf("coordinator")).toBeLessThan(coordinator ?? 0)
    expect(header.indexOf("p1")).toBe((p1 ?? 0) - 1)
    expect(header.indexOf("p2")).toBe((p2 ?? 0) - 1)
  })

  it("draws a delivery as an arrow from the sender's lane to the receiver's", () => {
    const [coordinator = 0, p1 = 0] = laneColumns()
    const row = [...eventRow(2)]
    expect(row[coordinator]).toBe("├")
    expect(row[p1 - 1]).toBe("▶")
    expect(row[p1]).toBe("│")
    expect(row.slice(coordinator + 1, p1).join("")).toMatch(/^─+ Prepare ─+▶$/)
  })

  it("draws a delivery from right to left", () => {
    const [coordinator = 0, p1 = 0] = laneColumns()
    const row = [...eventRow(3)]
    expect(row[coordinator]).toBe("│")
    expect(row[coordinator + 1]).toBe("◀")
    expect(row[p1]).toBe("┤")
    expect(row.slice(coordinator + 1, p1).join("")).toMatch(/^◀─+ Vote\(yes\) ─+$/)
  })

  it("marks a lost message, crossing the lanes between", () => {
    const [coordinator = 0, p1 = 0, p2 = 0] = laneColumns()
    const row = [...eventRow(4)]
    expect(row[coordinator]).toBe("├")
    expect(row[p1]).toBe("┼")
    expect(row[p2 - 1]).toBe("✗")
    expect(row.join("")).toContain("Prepare (lost)")
    expect(row.join("")).not.toContain("▶")
  })

  it("marks timers, crashes, restarts and local steps on their node's lane", () => {
    const [coordinator = 0, p1 = 0, p2 = 0] = laneColumns()
    expect(eventRow(1).slice(coordinator)).toMatch(/^◷ timer start/)
    expect(eventRow(5).slice(p2)).toBe("✖ CRASH")
    expect(eventRow(6).slice(p2)).toBe("↻ restart")
    expect(eventRow(8).slice(p1)).toMatch(/^• decide commit/)
  })

  it("draws a crashed node's lane dotted until it restarts", () => {
    const [, , p2 = 0] = laneColumns()
    const crashed = step(5)
    expect(crashed[crashed.length - 1]?.[p2]).toBe("┆")
    const restarted = step(6)
    expect(restarted[restarted.length - 1]?.[p2]).toBe("│")
  })

  it("lists the messages a step sent", () => {
    expect(step(1)).toContain("      sends: Prepare → p1, Prepare → p2")
    expect(step(2)).toContain("      sends: Vote(yes) → coordinator")
    expect(step(3).join("\n")).not.toContain("sends:")
  })

  it("shows only the state fields that changed", () => {
    expect(step(3).slice(2, -1)).toEqual([`      coordinator.votes: [] → ["p1"]`])
    expect(step(7).slice(3, -1)).toEqual([
      `      coordinator.phase: "waiting" → "done"`,
      `      coordinator.decision: null → "abort"`
    ])
    expect(step(7).join("\n")).not.toContain("votes")
    expect(step(7).join("\n")).not.toContain("p1.phase")
  })

  it("says when a step changed no state", () => {
    expect(step(4)).toContain("      (no state change)")
  })

  it("shows a node going down and coming back up", () => {
    expect(step(5)).toContain(`      p2: up → DOWN, keeps only its durable state {phase: "working"}`)
    expect(step(6)).toContain(`      p2: DOWN → up with {phase: "working"}`)
  })

  it("ends with where the property fails", () => {
    expect(lines().at(-1)).toBe("      ✗ Consistent does not hold after step 8")
  })

  it("marks where a lasso's loop begins and ends", () => {
    const output = lines({ ...twoPhaseTrace, loopStart: 5 })
    const begin = output.indexOf("      ╭─ loop: steps 6–8 repeat forever")
    expect(begin).toBeGreaterThan(0)
    expect(output[begin + 1]).toBe("   6  p2 restarts")
    expect(output).toContain("      ╰─ back to step 6")
  })

  it("says how a liveness lasso goes on: its loop repeats, or its last state lasts", () => {
    const looping = lines({ ...twoPhaseTrace, property: { name: "Decides", kind: "eventually" }, loopStart: 5 })
    expect(looping[1]).toBe("violates Decides (eventually): a fair behaviour that never satisfies it, a path into a loop")
    expect(looping.at(-1)).toContain("✗ Decides never holds: steps 6–8 may repeat forever")
    const staying = lines({ ...twoPhaseTrace, property: { name: "Decides", kind: "leadsTo" }, loopStart: 8 })
    expect(staying.join("\n")).not.toContain("loop:")
    expect(staying.at(-1)).toContain("the system may stay in the state after step 8 forever, no fair action being enabled there")
  })

  it("writes no escape codes without color, and some with it", () => {
    expect(renderSwimLanes(twoPhaseTrace)).not.toMatch(ANSI)
    expect(renderSwimLanes(twoPhaseTrace, { color: false })).not.toMatch(ANSI)
    expect(renderSwimLanes(twoPhaseTrace, { color: true })).toMatch(ANSI)
  })

  it("colours without moving anything", () => {
    const plain = renderSwimLanes(twoPhaseTrace)
    const stripped = renderSwimLanes(twoPhaseTrace, { color: true }).replace(/\x1b\[[0-9;]*m/g, "")
    expect(stripped).toBe(plain)
  })

  it("keeps the lanes within the width and cuts long labels with …", () => {
    const long = "x".repeat(60)
    const trace: TraceFile = {
      ...twoPhaseTrace,
      steps: [{
        action: "long",
        event: { _tag: "Deliver", from: "coordinator", to: "p1", message: long },
        lanes: twoPhaseTrace.initial
      }]
    }
    const output = lines(trace, 60)
    const row = step(1, output)[1] ?? ""
    expect(row).toContain("…")
    expect(row).not.toContain(long)
    for (const line of output.filter((l) => l.includes("│"))) expect([...line].length).toBeLessThanOrEqual(60)
  })

  it("gives a column to a node that acts but has no lane", () => {
    const trace: TraceFile = {
      format: "parley-trace/1",
      spec: "TwoPhase",
      config: { RM: 2 },
      property: { name: "TCConsistent", kind: "always" },
      initial: { rm1: "working", rm2: "working", msgs: [] },
      steps: [{
        action: "TMCommit",
        event: { _tag: "Local", node: "tm", label: "TMCommit" },
        lanes: { rm1: "working", rm2: "working", msgs: [{ type: "Commit" }] }
      }]
    }
    const output = lines(trace)
    expect(laneColumns(output)).toHaveLength(4)
    expect(laneNamesRow(output).trim().split(/ +/)).toEqual(["rm1", "rm2", "msgs", "tm"])
    expect(step(1, output)[1]).toMatch(/• TMCommit$/)
    expect(step(1, output)).toContain(`      msgs: [] → [{type: "Commit"}]`)
  })

  it("shows a message bag's change as the messages added and removed", () => {
    const trace: TraceFile = {
      format: "parley-trace/1",
      spec: "TwoPhase",
      config: {},
      property: { name: "TCConsistent", kind: "always" },
      initial: { msgs: [{ type: "Prepared", rm: "rm1" }] },
      steps: [{
        action: "TMAbort",
        event: { _tag: "Local", node: "tm", label: "TMAbort" },
        lanes: { msgs: [{ type: "Prepared", rm: "rm1" }, { type: "Abort" }] }
      }]
    }
    expect(step(1, lines(trace))).toContain(`      msgs: +{type: "Abort"}`)
  })
})
