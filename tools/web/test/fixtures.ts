import { TraceFile, TraceFormat } from "@parley/core"
import type { TraceStep } from "@parley/core"
import { Schema } from "effect"
import { readFileSync } from "node:fs"

/**
 * A real counterexample, as `parley check 2pc --variant no-durable-decision
 * --workers 1` writes it: the coordinator decides commit, tells p1, crashes
 * before its decision is durable, and restarts into abort.
 */
export const twoPhaseTrace: TraceFile = Schema.decodeUnknownSync(TraceFile)(
  JSON.parse(readFileSync(new URL("./fixtures/2pc-no-durable-decision.json", import.meta.url), "utf8"))
)

/** The same behaviour read as a lasso whose steps from `loopStart` on repeat forever. */
export const asLasso = (trace: TraceFile, loopStart: number): TraceFile => ({
  ...trace,
  property: { name: "EveryoneDecides", kind: "eventually" },
  loopStart
})

/**
 * A long behaviour of `nodes` nodes that pass a token round a ring, each
 * holding a growing log: `steps` steps, a message delivered at each, a timer
 * now and then, and one node crashing and restarting; for measuring a page.
 */
export const ringTrace = (nodes: number, steps: number): TraceFile => {
  const names = Array.from({ length: nodes }, (_, i) => `n${i + 1}`)
  const state = (round: number, holder: number) =>
    Object.fromEntries(names.map((name, i) => [name, { round, holds: i === holder, log: Array.from({ length: Math.min(round, 20) }, (_, k) => `e${k}`), timers: ["Tick"] }]))
  const out: Array<TraceStep> = []
  for (let i = 0; i < steps; i++) {
    const from = names[i % nodes]!
    const to = names[(i + 1) % nodes]!
    const lanes = state(Math.floor(i / nodes) + 1, (i + 1) % nodes)
    const event: TraceStep["event"] = i === 0
      ? { _tag: "Timer", node: from, timer: "Tick", sent: [{ to, message: "Token(1)" }] }
      : { _tag: "Deliver", from: names[(i - 1 + nodes) % nodes]!, to: from, message: `Token(${i})`, sent: [{ to, message: `Token(${i + 1})` }] }
    out.push({ action: `${from} passes the token to ${to}`, event, lanes })
  }
  return {
    format: TraceFormat,
    spec: "ring",
    config: { nodes, steps },
    property: { name: "TokenUnique", kind: "always" },
    initial: state(0, 0),
    steps: out
  }
}
