import * as NodeServices from "@effect/platform-node/NodeServices"
import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { decodeTrace, readTraceFile, type TraceFileError } from "../src/index.ts"
import { twoPhaseJson, twoPhaseTrace } from "./fixture.ts"

const failure = (json: string, file?: string): TraceFileError => {
  const result = decodeTrace(json, file)
  if (Result.isSuccess(result)) throw new Error("expected the trace to be rejected")
  return result.failure
}

const withChange = (change: (trace: Record<string, unknown>) => void): string => {
  const trace = twoPhaseJson()
  change(trace)
  return JSON.stringify(trace)
}

describe("decodeTrace", () => {
  it("decodes a valid trace to the same value", () => {
    const result = decodeTrace(JSON.stringify(twoPhaseTrace))
    assert.isTrue(Result.isSuccess(result))
    if (Result.isSuccess(result)) expect(result.success).toEqual(twoPhaseTrace)
  })

  it("keeps loopStart", () => {
    const result = decodeTrace(JSON.stringify({ ...twoPhaseTrace, loopStart: 3 }))
    expect(Result.isSuccess(result) && result.success.loopStart).toBe(3)
  })

  it("names JSON that does not parse, with the parser's complaint", () => {
    const error = failure("{\"format\": ", "out/t.json")
    expect(error.reason).toBe("NotJson")
    expect(error.path).toBe("out/t.json")
    expect(error.message).toMatch(/^Trace file "out\/t\.json" is not valid JSON: .*JSON.*\.$/)
  })

  it("names a missing format field and the format expected", () => {
    const error = failure(withChange((t) => delete t["format"]), "t.json")
    expect(error.reason).toBe("WrongFormat")
    expect(error.message).toBe(
      `Trace file "t.json" has no "format" field; expected "format": "parley-trace/1" (is it a Parley trace file?).`
    )
  })

  it("names a wrong format and the format expected", () => {
    const error = failure(withChange((t) => t["format"] = "parley-trace/2"), "t.json")
    expect(error.reason).toBe("WrongFormat")
    expect(error.message).toBe(`Trace file "t.json" has format "parley-trace/2"; expected "parley-trace/1".`)
  })

  it("names JSON that is not an object at all", () => {
    const error = failure("[1, 2]", "t.json")
    expect(error.reason).toBe("WrongFormat")
    expect(error.message).toContain("is not a Parley trace")
    expect(error.message).toContain("got an array")
    expect(error.message).toContain(`"parley-trace/1"`)
  })

  it("gives the schema issue and the path to the offending value", () => {
    const error = failure(
      withChange((t) => {
        const steps = t["steps"] as Array<{ event: Record<string, unknown> }>
        if (steps[1] !== undefined) steps[1].event["to"] = 7
      }),
      "t.json"
    )
    expect(error.reason).toBe("SchemaMismatch")
    expect(error.message).toContain(`Trace file "t.json" does not match the parley-trace/1 schema`)
    expect(error.message).toContain("Expected string")
    expect(error.message).toContain(`["steps"][1]["event"]["to"]`)
    expect(error.message).not.toContain("\n")
  })

  it("rejects a property kind the format does not have", () => {
    const error = failure(withChange((t) => t["property"] = { name: "Live", kind: "fairly" }))
    expect(error.reason).toBe("SchemaMismatch")
    expect(error.message).toMatch(/^The trace does not match/)
    expect(error.message).toContain(`["property"]["kind"]`)
  })
})

describe("readTraceFile", () => {
  const tmp = Effect.acquireRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "parley-trace-"))),
    (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
  )

  it.effect("reads back a trace written to disk", () =>
    Effect.gen(function*() {
      const dir = yield* tmp
      const file = path.join(dir, "twophase.json")
      yield* Effect.promise(() => fs.writeFile(file, JSON.stringify(twoPhaseTrace, null, 2)))
      const trace = yield* readTraceFile(file)
      expect(trace).toEqual(twoPhaseTrace)
    }).pipe(Effect.scoped, Effect.provide(NodeServices.layer)))

  it.effect("says a missing file does not exist", () =>
    Effect.gen(function*() {
      const dir = yield* tmp
      const file = path.join(dir, "absent.json")
      const error = yield* Effect.flip(readTraceFile(file))
      expect(error._tag).toBe("TraceFileError")
      expect(error.reason).toBe("NotFound")
      expect(error.path).toBe(file)
      expect(error.message).toBe(`Trace file "${file}" does not exist.`)
    }).pipe(Effect.scoped, Effect.provide(NodeServices.layer)))

  it.effect("says a directory cannot be read", () =>
    Effect.gen(function*() {
      const dir = yield* tmp
      const error = yield* Effect.flip(readTraceFile(dir))
      expect(error.reason).toBe("Unreadable")
      expect(error.message).toMatch(/^Cannot read trace file ".*": EISDIR: illegal operation on a directory/)
    }).pipe(Effect.scoped, Effect.provide(NodeServices.layer)))

  it.effect("names the file when its content is bad", () =>
    Effect.gen(function*() {
      const dir = yield* tmp
      const file = path.join(dir, "bad.json")
      yield* Effect.promise(() => fs.writeFile(file, "not json"))
      const error = yield* Effect.flip(readTraceFile(file))
      expect(error.reason).toBe("NotJson")
      expect(error.message).toContain(`Trace file "${file}" is not valid JSON`)
    }).pipe(Effect.scoped, Effect.provide(NodeServices.layer)))
})
