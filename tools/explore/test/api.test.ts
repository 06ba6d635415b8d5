import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CheckStatus } from "../src/check-status.ts"
import type { Location } from "../src/location.ts"
import { StateView, TraceWalk } from "../src/views.ts"
import type { ActionView } from "../src/views.ts"
import { startExplorer } from "./explorer.ts"

const start: Location = { spec: "2pc", options: {}, init: 0, path: [] }
let explorer: Awaited<ReturnType<typeof startExplorer>>
beforeAll(async () => {
  explorer = await startExplorer(start)
})
afterAll(() => explorer.close())

const at = (spec: string, path: ReadonlyArray<number>, options: Record<string, string> = {}): Location => ({ spec, options, init: 0, path: [...path] })

const view = async (location: Location): Promise<StateView> => {
  const answer = await explorer.request("POST", "/api/view", location)
  if (answer.status !== 200) throw new Error(`view answered ${answer.status}: ${JSON.stringify(answer.body)}`)
  return Schema.decodeUnknownSync(StateView)(answer.body)
}

const refusal = async (path: string, body: unknown): Promise<string> => {
  const answer = await explorer.request("POST", path, body)
  expect(answer.status).toBe(400)
  return (answer.body as { message: string }).message
}

const find = (state: StateView, pattern: RegExp): ActionView => {
  const action = state.actions.find((a) => pattern.test(a.name))
  if (action === undefined) throw new Error(`no action ${pattern} among ${state.actions.map((a) => a.name).join(", ")}`)
  return action
}

const lanesOf = (state: StateView): Readonly<Record<string, unknown>> => state.trace.steps[state.trace.steps.length - 1]?.lanes ?? state.trace.initial

describe("the page and the API's description", () => {
  it("serves the page at / and the OpenAPI description of the API", async () => {
    const page = await explorer.request("GET", "/")
    expect(page.status).toBe(200)
    expect(page.body).toMatch(/^<!doctype html>/i)
    const openapi = await explorer.request("GET", "/api/openapi.json")
    expect(Object.keys((openapi.body as { paths: object }).paths)).toEqual(expect.arrayContaining(["/api/view", "/api/checks", "/api/checks/{id}", "/api/traces"]))
  })

  it("lists the specs with their options, and where the page starts", async () => {
    const catalog = await explorer.request("GET", "/api/catalog")
    expect(catalog.body).toMatchObject({ start, specs: expect.arrayContaining([expect.objectContaining({ name: "raft" })]) })
  })
})

describe("walking a spec", () => {
  it("raft: a candidate's MsgVote, delivered, is a vote: the preview says so, and taking it does it", async () => {
    const initial = await view(at("raft", []))
    const timeout = find(initial, /^n1 timer election$/)
    const candidate = await view(at("raft", [timeout.index]))
    expect(candidate.trace.steps[0]?.action).toBe("n1 timer election")
    const vote = find(candidate, /^n2 receives MsgVote .* from n1$/)
    expect(vote.changes).toContainEqual(expect.objectContaining({ lane: "n2", kind: "field", field: "votedFor", after: "n1" }))
    const voted = await view(at("raft", [timeout.index, vote.index]))
    expect(lanesOf(voted)["n2"]).toMatchObject({ votedFor: "n1" })
    expect(voted.location.path).toEqual([timeout.index, vote.index])
  })

  it("lock: the lock server grants a lock, and the preview names the field", async () => {
    const initial = await view(at("lock", []))
    const grant = find(initial, /^redis receives SET .* from c1$/)
    expect(grant.changes).toEqual([expect.objectContaining({ lane: "redis", field: "lock", before: null })])
    const granted = await view(at("lock", [grant.index]))
    expect(lanesOf(granted)["redis"]).toMatchObject({ lock: expect.stringMatching(/^c1 /) })
  })

  it("shows an invariant broken where it breaks, and a sometimes property where it is reached", async () => {
    const caught = await explorer.request("POST", "/api/checks", { location: at("2pc", [], { variant: "no-durable-decision" }), strategy: "bfs", deadlock: false, liveness: false })
    const done = await pollUntilDone((caught.body as CheckStatus).id)
    const counterexample = done.outcome?.counterexample
    if (counterexample === undefined) throw new Error(`no counterexample: ${JSON.stringify(done)}`)
    const broken = await view(counterexample)
    const property = broken.properties.find((p) => p.name === done.outcome?.property)
    expect(property).toMatchObject({ kind: "always", holds: false, firstBroken: counterexample.path.length })
    const committed = broken.properties.filter((p) => p.kind === "sometimes" && p.firstHeld !== undefined)
    expect(committed.length).toBeGreaterThan(0)
  })
})

describe("bad input", () => {
  it("names an unknown spec, an option out of range, and a path that is no sequence of enabled actions", async () => {
    expect(await refusal("/api/view", at("nope", []))).toBe(`unknown spec "nope"`)
    expect(await refusal("/api/view", at("2pc", [], { participants: "99" }))).toMatch(/^spec 2pc cannot be built .*participants .* from 1 to 6, got 99/)
    expect(await refusal("/api/view", at("2pc", [0, 99]))).toBe("2pc: step 2 of the path is action #99, but only 8 (#0–#7) are enabled after step 1")
    expect(await refusal("/api/view", { spec: "2pc", options: {}, init: 0 })).toMatch(/^the request's payload does not fit: Missing key at \["path"\]/)
  })

  it("names what is wrong with a file that is no trace", async () => {
    const answer = await explorer.request("POST", "/api/traces", "not json", "text/plain")
    expect(answer.status).toBe(400)
    expect((answer.body as { message: string }).message).toMatch(/^The trace is not valid JSON/)
    const other = await explorer.request("POST", "/api/traces", JSON.stringify({ format: "other" }), "text/plain")
    expect((other.body as { message: string }).message).toMatch(/has format "other"; expected "parley-trace\/1"/)
  })
})

const pollUntilDone = async (id: string): Promise<CheckStatus> => {
  for (let poll = 0; poll < 600; poll++) {
    const answer = await explorer.request("GET", `/api/checks/${id}`)
    const status = Schema.decodeUnknownSync(CheckStatus)(answer.body)
    if (status.status !== "running") return status
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`check ${id} still running after a minute`)
}

describe("check from here", () => {
  it("finds the counterexample from a state on the path, as a path from the initial state through it", async () => {
    const from = at("2pc", [0, 0], { variant: "no-durable-decision" })
    const started = await explorer.request("POST", "/api/checks", { location: from, strategy: "bfs", deadlock: false, liveness: false })
    expect(started.status).toBe(200)
    const done = await pollUntilDone((started.body as CheckStatus).id)
    expect(done).toMatchObject({ status: "done", outcome: { result: "violation", property: "CoordinatorAgrees" } })
    expect(done.outcome?.counterexample?.path.slice(0, 2)).toEqual([0, 0])
    expect(done.outcome?.verdict).toMatchObject({ name: "CoordinatorAgrees", kind: "always", brokenAt: done.outcome?.counterexample?.path.length, loop: null })
  })

  it("runs one check at a time, and a cancelled check stops", async () => {
    const request = { location: at("raft", [], { "max-term": "3", requests: "3" }), strategy: "bfs", deadlock: false, liveness: false }
    const started = await explorer.request("POST", "/api/checks", request)
    const id = (started.body as CheckStatus).id
    const busy = await explorer.request("POST", "/api/checks", request)
    expect(busy).toMatchObject({ status: 409, body: { id, message: `check ${id} is running; cancel it or wait for it to end` } })
    const cancelled = await explorer.request("DELETE", `/api/checks/${id}`)
    expect(cancelled.body).toMatchObject({ id, status: "cancelled" })
    const missing = await explorer.request("GET", "/api/checks/c999")
    expect(missing.status).toBe(404)
  })

  it("refuses options that do not go together, in the checker's words", async () => {
    const message = await refusal("/api/checks", { location: at("2pc", []), strategy: "dfs", maxStates: 0, deadlock: false, liveness: false })
    expect(message).toMatch(/maxStates/)
  })
})

describe("loading a trace", () => {
  it("opens a counterexample a check wrote at the state where it breaks", async () => {
    const { buildTrace, toModel } = await import("@parley/checker")
    const { twoPhaseCommitSpec } = await import("@parley/twophase")
    const { defaultConfig } = await import("@parley/core")
    const config = { ...defaultConfig(twoPhaseCommitSpec), variant: "no-durable-decision" }
    const model = toModel(twoPhaseCommitSpec.build(config))
    const path = [0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 4, 3]
    const trace = buildTrace(model, { spec: "2pc", config, property: { name: "CoordinatorAgrees", kind: "always" } }, { initIndex: 0, actionIndices: path })
    const answer = await explorer.request("POST", "/api/traces", JSON.stringify(trace), "text/plain")
    const walked = Schema.decodeUnknownSync(TraceWalk)(answer.body)
    expect(walked).toMatchObject({ matched: path.length, steps: path.length, location: { spec: "2pc", path } })
    const broken = await view(walked.location)
    expect(broken.properties.find((p) => p.name === "CoordinatorAgrees")?.holds).toBe(false)
  })
})
