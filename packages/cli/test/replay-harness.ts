/**
 * What the `parley trace replay` tests share: running the real `parley`
 * binary, reading the trace a check wrote, and the line the replay must
 * print for each step of it.
 */
import { TraceFile } from "@parley/core"
import { Schema } from "effect"
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { expect } from "vitest"
import { bin } from "./cluster-harness.ts"

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const parley = (args: ReadonlyArray<string>, cwd: string): Promise<Run> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })

export const readTrace = (path: string): TraceFile => Schema.decodeUnknownSync(TraceFile)(JSON.parse(readFileSync(path, "utf8")))

/** The node a step happens at: the receiver of a message, or the node of a timer, crash or restart. */
const stepNode = (event: TraceFile["steps"][number]["event"]): string => ("to" in event ? event.to : event.node)

/**
 * What the replay must print for each step of the trace: the step, then
 * what the real cluster did, by the kind of step. A step of a party the
 * replayer plays (`played`: the checker's scripted clients, and nodes run
 * as no process) says so; every other step's node must match the trace's.
 */
export const expectEveryStep = (stdout: string, trace: TraceFile, played: ReadonlyArray<string> = []): void => {
  for (const [i, step] of trace.steps.entries()) {
    const event = step.event
    const node = stepNode(event)
    const outcome = played.includes(node)
      ? ".*(is the checker's\\)|the checker's client's)"
      : event._tag === "Crash"
      ? `kill -9 ${event.node}`
      : event._tag === "Restart"
      ? `${event.node} started again on its durable state: .*state matches`
      : event._tag === "Drop"
      ? "(lost: the replayer drops it|the checker's client's request is lost|.*'s message is lost \\(.* is the checker's\\))"
      : ".*state matches"
    const escaped = step.action.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    expect(stdout).toMatch(new RegExp(`${String(i + 1).padStart(4)}  ${escaped}\n {8}→ ${outcome}\n`))
  }
}
