import { TraceFormat } from "@parley/core"
import type { TraceFile, TraceStep } from "@parley/core"

/**
 * A hand-built two-phase commit counterexample: the coordinator asks p1 and
 * p2 to prepare, p1 votes yes, the vote from p2 is lost, p2 crashes and
 * restarts, and the coordinator's timeout aborts while p1 commits on a
 * buggy local decision.
 */
const idle = { phase: "init", votes: [] as ReadonlyArray<string>, decision: null }

const steps: ReadonlyArray<TraceStep> = [
  {
    action: "coordinator timer start",
    event: {
      _tag: "Timer",
      node: "coordinator",
      timer: "start",
      sent: [{ to: "p1", message: "Prepare" }, { to: "p2", message: "Prepare" }]
    },
    lanes: { coordinator: { ...idle, phase: "waiting" }, p1: { phase: "working" }, p2: { phase: "working" } }
  },
  {
    action: "p1 receives Prepare from coordinator",
    event: {
      _tag: "Deliver",
      from: "coordinator",
      to: "p1",
      message: "Prepare",
      sent: [{ to: "coordinator", message: "Vote(yes)" }]
    },
    lanes: { coordinator: { ...idle, phase: "waiting" }, p1: { phase: "prepared" }, p2: { phase: "working" } }
  },
  {
    action: "coordinator receives Vote(yes) from p1",
    event: { _tag: "Deliver", from: "p1", to: "coordinator", message: "Vote(yes)" },
    lanes: { coordinator: { ...idle, phase: "waiting", votes: ["p1"] }, p1: { phase: "prepared" }, p2: { phase: "working" } }
  },
  {
    action: "network drops Prepare coordinator→p2",
    event: { _tag: "Drop", from: "coordinator", to: "p2", message: "Prepare" },
    lanes: { coordinator: { ...idle, phase: "waiting", votes: ["p1"] }, p1: { phase: "prepared" }, p2: { phase: "working" } }
  },
  {
    action: "p2 crashes",
    event: { _tag: "Crash", node: "p2" },
    lanes: {
      coordinator: { ...idle, phase: "waiting", votes: ["p1"] },
      p1: { phase: "prepared" },
      p2: { down: true, durable: { phase: "working" } }
    }
  },
  {
    action: "p2 restarts",
    event: { _tag: "Restart", node: "p2" },
    lanes: { coordinator: { ...idle, phase: "waiting", votes: ["p1"] }, p1: { phase: "prepared" }, p2: { phase: "working" } }
  },
  {
    action: "coordinator timer timeout",
    event: {
      _tag: "Timer",
      node: "coordinator",
      timer: "timeout",
      sent: [{ to: "p1", message: "Abort" }, { to: "p2", message: "Abort" }]
    },
    lanes: {
      coordinator: { ...idle, phase: "done", votes: ["p1"], decision: "abort" },
      p1: { phase: "prepared" },
      p2: { phase: "working" }
    }
  },
  {
    action: "p1 decides commit",
    event: { _tag: "Local", node: "p1", label: "decide commit" },
    lanes: {
      coordinator: { ...idle, phase: "done", votes: ["p1"], decision: "abort" },
      p1: { phase: "committed" },
      p2: { phase: "working" }
    }
  }
]

export const twoPhaseTrace: TraceFile = {
  format: TraceFormat,
  spec: "twophase",
  config: { participants: 2, lossy: true },
  property: { name: "Consistent", kind: "always" },
  initial: { coordinator: idle, p1: { phase: "working" }, p2: { phase: "working" } },
  steps
}

/** The fixture as a trace file's text, for the decoding tests to break in chosen ways. */
export const twoPhaseJson = (): Record<string, unknown> => JSON.parse(JSON.stringify(twoPhaseTrace))
