/**
 * A scripted cluster with n1 elected, and a node's state read from it: the
 * start most scenario tests in code share.
 */
import { expect } from "vitest"
import type { RaftState } from "../../../src/raft/state.ts"
import { Interpreter } from "./commands.ts"

/** A three-node cluster (`add-nodes 3` and `options`, as a scenario file writes them) whose leader is n1. */
export const withLeader = (options = ""): Interpreter => {
  const interpreter = new Interpreter()
  for (const line of [`add-nodes 3 ${options}`.trimEnd(), "timeout n1", "stabilize"]) interpreter.run(line)
  expect(interpreter.cluster.slot("n1")).toMatchObject({ up: true, state: { role: "leader" } })
  return interpreter
}

/** The state of `node`, which must be up. */
export const stateOf = (interpreter: Interpreter, node: string): RaftState => {
  const slot = interpreter.cluster.slot(node)
  if (!slot.up) throw new Error(`${node} is down`)
  return slot.state
}
