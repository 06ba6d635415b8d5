/**
 * `parley test raft` run as a user runs it, for the test files that check
 * its reports: the cluster in a harness directory, the report in a fresh
 * one that `removeReports` deletes, Ctrl-C when it overruns.
 */
import { TestVerdict } from "@parley/jepsen"
import { Schema } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bin, clusterDir } from "./cluster-harness.ts"

export interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly report: string
  readonly pid: number
}

const reports: Array<string> = []

export const removeReports = (): void => {
  for (const dir of reports.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A fresh report directory, deleted by `removeReports`. */
export const freshReport = (): string => {
  const report = mkdtempSync(join(tmpdir(), "parley-test-report-"))
  reports.push(report)
  return report
}

/** `parley test raft ARGS`, interrupted (SIGINT, as Ctrl-C) if it has not ended within `timeoutMs`. */
export const parleyTest = (args: ReadonlyArray<string>, timeoutMs = 100_000): Promise<Finished> => {
  const report = freshReport()
  const child = spawn(process.execPath, [bin, "test", "raft", "--dir", clusterDir(), "--report", report, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += chunk))
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs)
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, report, pid: child.pid! })
    })
  )
}

export const verdictOf = (report: string): TestVerdict =>
  Schema.decodeUnknownSync(TestVerdict)(JSON.parse(readFileSync(join(report, "verdict.json"), "utf8")))
