/**
 * The report of a run, from a history written by hand: a stale read served
 * by a leader cut off by a partition, and the same history without it.
 */
import { checkHistory, models, pairOperations, readRecords } from "@parley/history"
import { Result, Schema } from "effect"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { checkRecords } from "../src/check.ts"
import type { NemesisEvent, TestRecord } from "../src/recorder.ts"
import { TestVerdict, writeReport } from "../src/report.ts"
import type { TestRun } from "../src/run.ts"

const kv = models.find((model) => model.name === "kv")!
const budget = { maxMilliseconds: 10_000, maxMemoryBytes: 64 * 1024 * 1024 }
const dirs: Array<string> = []

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const op = (process: number, f: string, value: unknown, from: number, to: number, result: unknown, node: string): Array<TestRecord> => [
  { process, type: "invoke", f, key: "k0", value, time: from },
  { process, type: "ok", f, key: "k0", value: result, time: to, node }
]

const faults: Array<NemesisEvent> = [
  { time: 1000, phase: "start", fault: "partition", nodes: ["n1"], description: "partition n1 (the leader) / n2,n3" },
  { time: 3000, phase: "end", fault: "partition", nodes: ["n1"], description: "end: partition n1 (the leader) / n2,n3" }
]

const nemesisRecord = (event: NemesisEvent): TestRecord => ({ process: "nemesis", type: "info", f: `${event.phase}-${event.fault}`, value: event.nodes, time: event.time })

const history = (staleRead: boolean): Array<TestRecord> => [
  ...op(0, "write", 1, 100, 200, 1, "n1"),
  nemesisRecord(faults[0]!),
  ...op(1, "write", 2, 1500, 1600, 2, "n2"),
  ...op(0, "read", null, 1700, 1710, staleRead ? 1 : 2, "n1"),
  nemesisRecord(faults[1]!)
]

const runOf = (records: Array<TestRecord>): TestRun => ({
  model: kv,
  records,
  faults,
  checked: Result.getOrThrow(checkRecords(kv, records, budget)),
  unrecovered: undefined,
  nodes: ["n1", "n2", "n3"].map((id, i) => ({ id, client: `127.0.0.1:${7001 + i}`, peer: `127.0.0.1:${7101 + i}` })),
  durationMs: 4000
})

const settings = { spec: "raft", variant: "stale-read", workload: "register", clients: 2, keys: 1, nemesis: ["partition"], seed: 1 }

const report = (records: Array<TestRecord>) => {
  const dir = mkdtempSync(join(tmpdir(), "parley-report-"))
  dirs.push(dir)
  return { dir, written: writeReport(dir, runOf(records), settings, []) }
}

describe("a test's report", () => {
  it("names the stale read, the node that served it and the partition it was under", () => {
    const { dir, written } = report(history(true))
    expect(written.verdict).toMatchObject({
      verdict: "invalid",
      anomalies: ["not linearizable (key k0)"],
      faults: { partition: 1 },
      history: { verdict: "not-linearizable", blocked: { f: "read", output: "1", line: 6 } },
      culprit: { node: "n1", faults: ["partition n1 (the leader) / n2,n3 (1.0–3.0 s)"] }
    })
    expect(written.text).toMatch(/^parley test raft --variant stale-read: ANOMALY: not linearizable \(key k0\)/)
    expect(written.text).toContain("that operation: process 0: read [k0] → 1 from n1")
    expect(Schema.decodeUnknownSync(TestVerdict)(JSON.parse(readFileSync(join(dir, "verdict.json"), "utf8")))).toEqual(written.verdict)
    expect(readFileSync(join(dir, "timeline.html"), "utf8")).toContain('class="op read ok blocked')
    expect(existsSync(join(dir, "anomaly.html"))).toBe(true)
    expect(readFileSync(join(dir, "nemesis.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line))).toEqual(faults)
  })

  it("writes a history that parley history check reads back to the same verdict", () => {
    const { dir, written } = report(history(true))
    const records = Result.getOrThrow(readRecords(readFileSync(join(dir, "history.jsonl"), "utf8"), "jsonl"))
    const checked = checkHistory(kv, Result.getOrThrow(pairOperations(kv, records)), budget)
    expect({ ...checked.verdict, stats: undefined }).toEqual({ ...written.verdict.history, stats: undefined })
  })

  it("finds nothing wrong when the read saw the latest write", () => {
    const { dir, written } = report(history(false))
    expect(written.verdict).toMatchObject({ verdict: "valid", anomalies: [], history: { verdict: "linearizable" } })
    expect(written.verdict.culprit).toBeUndefined()
    expect(existsSync(join(dir, "anomaly.html"))).toBe(false)
  })
})
