/**
 * validate reads the event log's older formats with their own digests: a
 * version-3 log (a fixture a 3-node in-process raft cluster wrote before
 * version 4: writes, a follower crashed and recovered) validates, its
 * digests recomputed as version 3 made them, a doctored one is found; and
 * a node upgraded between two runs, its first run's log version 3 and its
 * second's version 4, validates too: the state its second run recovered is
 * digested as the first run digested what it saved.
 */
import type { NodeId } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { durableDigester, EventLogFormat } from "@parley/runtime"
import { Result } from "effect"
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { readNodeLog, replayNode } from "../src/index.ts"
import { validateRaftLogs } from "./raft-logs.ts"

const fixture = fileURLToPath(new URL("fixtures/raft-v3", import.meta.url))
const nodes: ReadonlyArray<NodeId> = ["n1", "n2", "n3"]

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** The fixture's logs in a directory of their own, to change. */
const copyOfFixture = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "parley-validate-formats-"))
  dirs.push(dir)
  cpSync(fixture, dir, { recursive: true })
  return dir
}

const validate = (dir: string) => Result.getOrThrow(validateRaftLogs(dir, nodes)).verdict

const linesOf = (dir: string, node: NodeId): Array<string> => readFileSync(join(dir, `${node}.events.1.jsonl`), "utf8").split("\n")

describe("validate of older formats", () => {
  it("validates a version-3 log, recomputing its digests as version 3 made them", () => {
    expect(linesOf(fixture, "n1")[0]).toMatch(/"format":"parley-events\/3"/)
    const verdict = validate(fixture)
    expect(verdict.verdict).toBe("valid")
    expect(verdict.checks.map((check) => [check.check, check.outcome])).toEqual([
      ["replay", "passed"],
      ["merge", "passed"],
      ["invariants", "passed"],
      ["linearizability", "passed"]
    ])
    expect(verdict.nodes.find((node) => node.node === "n2")?.runs).toBe(2)
  })

  it("finds a version-3 digest that is not the state's", () => {
    const dir = copyOfFixture()
    const lines = linesOf(dir, "n3")
    const line = lines.findIndex((text, index) => index > 2 && text.includes('"durable"'))
    lines[line] = JSON.stringify({ ...JSON.parse(lines[line]!), durable: "0123456789abcdef" })
    writeFileSync(join(dir, "n3.events.1.jsonl"), lines.join("\n"))
    expect(validate(dir).divergence).toMatch(new RegExp(`^n3 diverges at its step \\d+ \\(run 1, .*n3\\.events\\.1\\.jsonl:${line + 1}\\): durable`))
  })

  it("validates a node whose first run logged version 3 and whose second, after an upgrade, version 4", () => {
    const dir = copyOfFixture()
    const replayed = replayNode(Result.getOrThrow(readNodeLog(dir, "n2", raftHosted)), raftHosted)
    const lines = linesOf(dir, "n2")
    const secondStart = lines.findIndex((text, index) => index > 0 && text.startsWith('{"_tag":"Start"'))
    lines[secondStart] = lines[secondStart]!.replace('"format":"parley-events/3"', `"format":"${EventLogFormat}"`)
    const digest = durableDigester()
    for (const step of replayed.steps.filter((step) => step.incarnation === 1 && step.logged.durable !== undefined)) {
      const line = Number(step.logged.where.split(":").at(-1)) - 1
      lines[line] = JSON.stringify({ ...JSON.parse(lines[line]!), durable: digest(replayed.runs[1]!.actor.durable(step.after)) })
    }
    writeFileSync(join(dir, "n2.events.1.jsonl"), lines.join("\n"))
    expect(lines[secondStart]).toMatch(/"format":"parley-events\/4"/)
    const verdict = validate(dir)
    expect(verdict.verdict).toBe("valid")
    expect(verdict.notes.join(" ")).not.toMatch(/never logged/)
  })
})
