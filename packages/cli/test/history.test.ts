import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { HistoryVerdict } from "@parley/history"
import { Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"

const bin = fileURLToPath(new URL("../bin/parley.mjs", import.meta.url))
const workDir = mkdtempSync(join(tmpdir(), "parley-history-"))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

/** Runs the real `parley history check` in a child process, as a user would. */
const check = (...args: ReadonlyArray<string>): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, "history", "check", ...args], { cwd: workDir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

const write = (name: string, lines: ReadonlyArray<object>): string => {
  writeFileSync(join(workDir, name), lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
  return name
}

const staleRead = write("stale.jsonl", [
  { process: 0, type: "invoke", f: "write", value: 1 },
  { process: 0, type: "ok", f: "write", value: 1 },
  { process: 0, type: "invoke", f: "write", value: 2 },
  { process: 0, type: "ok", f: "write", value: 2 },
  { process: 1, type: "invoke", f: "read", value: null },
  { process: 1, type: "ok", f: "read", value: 1 }
])

/**
 * A model of a counter, written as a user would write one: the documented
 * way to add a model. It lives in a scratch directory, so it imports effect
 * by its resolved path where a user's module would import "effect".
 */
const counterModel = `
import { Result } from "${import.meta.resolve("effect")}"
export default {
  name: "counter",
  summary: "increments and reads",
  spec: {
    name: "counter",
    init: () => 0,
    apply: (n, input) => (input === "inc" ? { model: n + 1, output: "ok" } : { model: n, output: n }),
    readOnly: (input) => input === "read"
  },
  read: (op) => Result.succeed({ input: op.f, output: op.outcome === "ok" ? (op.f === "inc" ? "ok" : op.okValue) : undefined }),
  showInput: (input) => input,
  showOutput: (output) => String(output),
  showModel: (n) => String(n)
}
`

describe("parley history check", () => {
  it("exits 1 on a stale read, names the read, and writes the HTML view", async () => {
    const run = await check(staleRead, "--model", "register", "--html", "view.html")
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("stale.jsonl: NOT linearizable (register model")
    expect(run.stdout).toMatch(/cannot be placed next \(the model holds 2 after it\):\n\s+lines 5-6\s+process 1\s+read → 1/)
    expect(readFileSync(join(workDir, "view.html"), "utf8")).toContain('id="blocked"')
  })

  it("prints the verdict as JSON that decodes with its Schema, and exits 0 when linearizable", async () => {
    const fine = write("fine.jsonl", [
      { process: 0, type: "invoke", f: "write", value: 1 },
      { process: 1, type: "invoke", f: "read", value: null },
      { process: 1, type: "ok", f: "read", value: 1 },
      { process: 0, type: "info", f: "write", value: 1 }
    ])
    const run = await check(fine, "--json")
    expect(run.code).toBe(0)
    const verdict = Schema.decodeUnknownSync(HistoryVerdict)(JSON.parse(run.stdout))
    expect(verdict).toMatchObject({ verdict: "linearizable", model: "cas-register", operations: { ok: 1, info: 1 } })
  })

  it("exits 2 naming the line and field of a record that does not fit, and the models there are", async () => {
    const bad = write("bad.jsonl", [{ process: 0, type: "invoke", f: "write", value: 1 }, { process: 0, type: "done", f: "write" }])
    const run = await check(bad)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('parley: bad.jsonl: line 2: field "type": expected "invoke" | "ok" | "fail" | "info", got "done"')
    const unknownModel = await check(bad, "--model", "queue")
    expect(unknownModel.stderr).toContain('there is no model "queue"; there are register, cas-register, kv, list')
  })

  it("takes a model from a TypeScript module", async () => {
    writeFileSync(join(workDir, "counter.mts"), counterModel)
    const counts = write("counts.jsonl", [
      { process: 0, type: "invoke", f: "inc" },
      { process: 0, type: "ok", f: "inc" },
      { process: 1, type: "invoke", f: "read" },
      { process: 1, type: "ok", f: "read", value: 2 }
    ])
    const run = await check(counts, "--model-file", "counter.mts")
    expect(run.stderr).toBe("")
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("(counter model; 2 operations")
  })
})
