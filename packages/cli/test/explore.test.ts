import { execFile, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { registry } from "../src/registry.ts"

const bin = fileURLToPath(new URL("../bin/parley.mjs", import.meta.url))

/** `parley explore` as a user starts it, on a free port; its URL once printed (within a minute). */
const startExplore = (args: ReadonlyArray<string>): Promise<{ readonly child: ChildProcess; readonly url: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "explore", ...args], { stdio: ["ignore", "pipe", "pipe"] })
    const bound = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error("parley explore printed no URL within a minute"))
    }, 60_000)
    let stdout = ""
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk)
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1]
      if (url !== undefined) {
        clearTimeout(bound)
        resolve({ child, url })
      }
    })
    child.on("exit", (code) => reject(new Error(`parley explore exited with ${code} before printing its URL`)))
  })

const parley = (...args: ReadonlyArray<string>): Promise<{ readonly code: number; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stderr })
    })
  })

describe("parley explore on the command line", () => {
  it("refuses an unknown spec, an option out of range and a path that is none, as check does (exit 2)", async () => {
    expect(await parley("explore", "nope")).toMatchObject({ code: 2, stderr: expect.stringMatching(/^parley: unknown spec "nope"; the specs are: twophase, 2pc/) })
    expect(await parley("explore", "raft", "--nodes", "99")).toMatchObject({ code: 2, stderr: "parley: --nodes for spec raft must be an integer from 1 to 7, got \"99\"\n" })
    expect(await parley("explore", "2pc", "--path", "0.99")).toMatchObject({ code: 2, stderr: "parley: 2pc: step 2 of the path is action #99, but only 8 (#0–#7) are enabled after step 1\n" })
  })
})

describe("parley explore serving", () => {
  let explore: { readonly child: ChildProcess; readonly url: string }
  beforeAll(async () => {
    explore = await startExplore(["raft", "--nodes", "3"])
  })
  afterAll(() => {
    explore.child.kill("SIGKILL")
  })

  const post = async (path: string, body: unknown) => {
    const response = await fetch(new URL(path, explore.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000)
    })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  }

  it("starts where the command line said", async () => {
    const catalog = await fetch(new URL("/api/catalog", explore.url)).then((r) => r.json())
    expect(catalog).toMatchObject({ start: { spec: "raft", options: { nodes: "3" }, init: 0, path: [] } })
  })

  it.each(registry.map((spec) => [spec.name]))("walks %s: its initial state, and one step along its first action", async (spec) => {
    const initial = await post("/api/view", { spec, options: {}, init: 0, path: [] })
    expect(initial.status).toBe(200)
    const actions = initial.body["actions"] as ReadonlyArray<{ index: number; idle: boolean }>
    const first = actions.find((action) => !action.idle)
    expect(first).toBeDefined()
    const next = await post("/api/view", { spec, options: {}, init: 0, path: [first!.index] })
    expect(next.status).toBe(200)
    expect((next.body["trace"] as { steps: unknown[] }).steps).toHaveLength(1)
  })

  it("refuses a URL's option out of range in the command line's words", async () => {
    const answer = await post("/api/view", { spec: "raft", options: { nodes: "99" }, init: 0, path: [] })
    expect(answer).toEqual({ status: 400, body: { _tag: "Refused", message: "--nodes for spec raft must be an integer from 1 to 7, got \"99\"" } })
    const variant = await post("/api/view", { spec: "raft", options: { variant: "nope" }, init: 0, path: [] })
    expect(variant.body["message"]).toMatch(/^spec raft has no variant "nope"; its variants: correct, /)
  })
})
