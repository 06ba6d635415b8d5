/**
 * Saga clusters of real `parley node` processes on loopback, as `parley
 * cluster up saga` starts them: an orchestrator and three services
 * (inventory reserves, payment charges, shipping ships), hosting the reducers `parley check saga` explores. Refusal and
 * compensation, kill -9 of the orchestrator mid-saga, a service down for a
 * while, and bad input, each against the services' ledgers: the ground
 * truth of what took effect.
 */
import { clusterKill, clusterRestart, clusterUp, readCluster } from "@parley/runtime"
import type { ApiAnswer, NodeEntry } from "@parley/runtime"
import { SagaReport } from "@parley/saga"
import { Effect, Result, Schema } from "effect"
import { execFile } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, stopAll } from "./cluster-harness.ts"

afterEach(stopAll)

interface SagaCluster {
  readonly dir: string
  readonly node: (id: string) => NodeEntry
}

interface Setup {
  readonly spec?: "saga" | "saga-choreography"
  readonly options?: Record<string, unknown>
  readonly timers?: Record<string, { minMs: number; maxMs: number }>
}

const startSagaCluster = async (setup: Setup = {}): Promise<SagaCluster> => {
  const dir = clusterDir()
  await Effect.runPromise(clusterUp({
    spec: setup.spec ?? "saga",
    // With its layout, a saga cluster counts its services; the node that keeps the sagas comes beside them.
    nodes: 3,
    dir,
    basePort: await freeBase(4),
    launcher,
    hosts: hostedSpecs,
    ...(setup.options === undefined ? {} : { options: setup.options }),
    ...(setup.timers === undefined ? {} : { timers: setup.timers })
  }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  return { dir, node: (id) => nodes.find((node) => node.id === id)! }
}

const call = (node: NodeEntry, method: string, path: string, body?: string): Promise<ApiAnswer> => callNode(node, method, path, body, 10_000)

const start = (cluster: SagaCluster, id: string, at: string) => call(cluster.node(at), "POST", "/v1/sagas", JSON.stringify({ id }))

/** The saga once it has ended, polled through the orchestrator. */
const ended = (cluster: SagaCluster, id: string, keeper = "orchestrator", timeoutMs = 30_000) =>
  eventually(`saga ${id} to end`, async () => {
    const answer = await call(cluster.node(keeper), "GET", `/v1/sagas/${id}`)
    const state = answer.body["state"]
    return state === "completed" || state === "compensated" ? answer.body : undefined
  }, timeoutMs)

const Reservations = Schema.Struct({ ledger: Schema.Array(Schema.Struct({ saga: Schema.String, op: Schema.Literals(["do", "undo"]), key: Schema.String })) })
const decodeReport = Schema.decodeUnknownSync(SagaReport)
const stepStates = (body: unknown) => decodeReport(body).steps.map((step) => step.state)
const logLength = (body: unknown) => decodeReport(body).log.length

const ledger = async (cluster: SagaCluster, id: string) => {
  const answer = await call(cluster.node(id), "GET", "/v1/reservations")
  expect(answer.status).toBe(200)
  return Schema.decodeUnknownSync(Reservations)(answer.body).ledger
}

/** Each key once in every service's ledger: no action or compensation took effect twice. */
const expectEachEffectOnce = async (cluster: SagaCluster) => {
  for (const service of ["inventory", "payment", "shipping"]) {
    const keys = (await ledger(cluster, service)).map((line) => line.key)
    expect(new Set(keys).size, `${service}'s ledger ${keys.join(", ")}`).toBe(keys.length)
  }
}

describe("a saga cluster of real processes", () => {
  it("a refusal at step 3 compensates steps 2 and 1, in that order; told to accept, the service lets the next saga complete", async () => {
    const cluster = await startSagaCluster({ options: { refuse: ["shipping"] } })
    expect(await start(cluster, "trip-1", "payment")).toMatchObject({ status: 201, body: { id: "trip-1", created: true } })
    const saga = await ended(cluster, "trip-1")
    expect(saga).toMatchObject({ state: "compensated", log: ["Done T1", "Done T2", "Refused T3", "Compensated T2", "Compensated T1"] })
    expect(stepStates(saga)).toEqual(["compensated", "compensated", "refused"])
    expect(await ledger(cluster, "payment")).toEqual([
      { saga: "trip-1", op: "do", key: "trip-1:charge" },
      { saga: "trip-1", op: "undo", key: "trip-1:refund" }
    ])
    expect((await ledger(cluster, "inventory")).map((line) => line.key)).toEqual(["trip-1:reserve", "trip-1:release"])
    expect(await ledger(cluster, "shipping")).toEqual([])

    expect(await call(cluster.node("shipping"), "PUT", "/v1/admin/policy", JSON.stringify({ policy: "accept" }))).toMatchObject({ status: 200 })
    await start(cluster, "trip-2", "orchestrator")
    expect(await ended(cluster, "trip-2")).toMatchObject({ state: "completed", log: ["Done T1", "Done T2", "Done T3"] })
    expect((await call(cluster.node("shipping"), "GET", "/v1/reservations")).body).toMatchObject({ policy: "accept", holding: ["trip-2"] })
    // A start of an id that exists is a retry: it starts nothing.
    expect(await start(cluster, "trip-2", "inventory")).toMatchObject({ status: 200, body: { id: "trip-2", created: false } })
  }, 120_000)

  it("kill -9 of the orchestrator mid-saga, and its restart, ends every saga with each action and compensation applied at most once", async () => {
    // Services slow to decide and resends quicker than that: duplicates reach every service, before and after it decides.
    const cluster = await startSagaCluster({
      options: { refuse: ["shipping"] },
      timers: { decide: { minMs: 200, maxMs: 400 }, retry: { minMs: 100, maxMs: 150 } }
    })
    const ids = ["a", "b", "c", "d"]
    for (const id of ids) expect(await start(cluster, id, "orchestrator")).toMatchObject({ status: 201 })
    await eventually("a saga past its first step", async () => {
      const answer = await call(cluster.node("orchestrator"), "GET", "/v1/sagas/a")
      return logLength(answer.body) > 0 ? true : undefined
    })
    await Effect.runPromise(clusterKill(cluster.dir, "orchestrator"))
    await Effect.runPromise(clusterRestart(cluster.dir, "orchestrator", launcher))
    for (const id of ids) {
      expect(await ended(cluster, id)).toMatchObject({ state: "compensated", log: ["Done T1", "Done T2", "Refused T3", "Compensated T2", "Compensated T1"] })
    }
    await expectEachEffectOnce(cluster)
    for (const service of ["inventory", "payment"]) {
      const lines = await ledger(cluster, service)
      for (const id of ids) expect(lines.filter((line) => line.saga === id).map((line) => line.op), `${service}, saga ${id}`).toEqual(["do", "undo"])
    }
  }, 120_000)

  it("a service down for a while delays the saga but does not break it", async () => {
    const cluster = await startSagaCluster()
    await Effect.runPromise(clusterKill(cluster.dir, "payment"))
    await start(cluster, "slow", "orchestrator")
    const waiting = await eventually("the saga to wait at T2", async () => {
      const answer = await call(cluster.node("orchestrator"), "GET", "/v1/sagas/slow")
      return logLength(answer.body) === 1 ? answer.body : undefined
    })
    expect(waiting).toMatchObject({ state: "running", log: ["Done T1"] })
    expect(stepStates(waiting)).toEqual(["done", "running", "pending"])
    await Effect.runPromise(clusterRestart(cluster.dir, "payment", launcher))
    expect(await ended(cluster, "slow")).toMatchObject({ state: "completed", log: ["Done T1", "Done T2", "Done T3"] })
    expect((await ledger(cluster, "payment")).map((line) => line.key)).toEqual(["slow:charge"])
    await expectEachEffectOnce(cluster)
  }, 120_000)

  it("bad input gets a 4xx JSON error naming the problem, and every node keeps serving", async () => {
    const cluster = await startSagaCluster()
    const orchestrator = cluster.node("orchestrator")
    const refusals: ReadonlyArray<readonly [NodeEntry, string, string, string | undefined, number, RegExp]> = [
      [orchestrator, "GET", "/v1/nothing", undefined, 404, /^no route \/v1\/nothing; routes: \/v1\/sagas/],
      [orchestrator, "DELETE", "/v1/sagas", undefined, 405, /^DELETE is not allowed on \/v1\/sagas/],
      [orchestrator, "POST", "/v1/sagas", "{not json", 400, /^the body must be empty or JSON/],
      [orchestrator, "POST", "/v1/sagas", JSON.stringify({ id: "no spaces" }), 400, /^the body does not fit .*id/],
      [cluster.node("inventory"), "GET", "/v1/sagas/unknown", undefined, 404, /^no saga "unknown"$/],
      [orchestrator, "GET", "/v1/reservations", undefined, 404, /^the orchestrator runs no step; ask a service: inventory, payment, shipping$/],
      [cluster.node("inventory"), "PUT", "/v1/admin/policy", JSON.stringify({ policy: "maybe" }), 400, /^the body does not fit \{"policy"/]
    ]
    for (const [node, method, path, body, status, error] of refusals) {
      const answer = await call(node, method, path, body)
      expect(answer.status, `${method} ${path}`).toBe(status)
      expect(String(answer.body["error"]), `${method} ${path}`).toMatch(error)
    }
    // And the parley command: a saga started, shown, and an unknown one refused.
    const parley = (...args: ReadonlyArray<string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args, "--dir", cluster.dir], { timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
      })
    const started = await parley("saga", "start", "--id", "cli-1", "--wait")
    expect(started.stdout).toMatch(/^saga cli-1: completed\nstep +service +action +compensation +state\nT1 +inventory +reserve +release +done/)
    expect((await parley("saga", "show", "cli-1")).stdout).toMatch(/log: Done T1, Done T2, Done T3/)
    expect(await parley("saga", "show", "nope")).toMatchObject({ code: 1, stderr: expect.stringMatching(/404: no saga "nope"/) })
  }, 120_000)
})

describe("a saga-choreography cluster of real processes: no orchestrator, events through outboxes and inboxes", () => {
  it("a refusal at step 3 is compensated up the chain; a service down for a while delays a saga, which then completes once", async () => {
    const cluster = await startSagaCluster({ spec: "saga-choreography", options: { refuse: ["shipping"] } })
    expect(await start(cluster, "c1", "shipping")).toMatchObject({ status: 201, body: { id: "c1", created: true } })
    expect(await ended(cluster, "c1", "order")).toEqual({ id: "c1", state: "compensated", events: ["c1:release:done"] })
    expect((await ledger(cluster, "payment")).map((line) => line.key)).toEqual(["c1:charge", "c1:refund"])
    expect((await ledger(cluster, "inventory")).map((line) => line.key)).toEqual(["c1:reserve", "c1:release"])
    expect(await ledger(cluster, "shipping")).toEqual([])

    expect(await call(cluster.node("shipping"), "PUT", "/v1/admin/policy", JSON.stringify({ policy: "accept" }))).toMatchObject({ status: 200 })
    await Effect.runPromise(clusterKill(cluster.dir, "payment"))
    await start(cluster, "c2", "inventory")
    // Inventory reserved and keeps resending its Done to payment, which is down.
    await eventually("inventory to reserve for c2", async () => ((await ledger(cluster, "inventory")).some((line) => line.key === "c2:reserve") ? true : undefined))
    expect(await call(cluster.node("order"), "GET", "/v1/sagas/c2")).toMatchObject({ status: 200, body: { state: "running" } })
    await Effect.runPromise(clusterRestart(cluster.dir, "payment", launcher))
    expect(await ended(cluster, "c2", "order")).toEqual({ id: "c2", state: "completed", events: ["c2:ship:done"] })
    await expectEachEffectOnce(cluster)
    expect((await ledger(cluster, "shipping")).map((line) => line.key)).toEqual(["c2:ship"])

    // kill -9 of the order service mid-saga: the services carry the saga on, and its outcome waits in shipping's outbox.
    await Effect.runPromise(clusterKill(cluster.dir, "shipping"))
    await start(cluster, "c3", "order")
    await eventually("payment to charge for c3", async () => ((await ledger(cluster, "payment")).some((line) => line.key === "c3:charge") ? true : undefined))
    await Effect.runPromise(clusterKill(cluster.dir, "order"))
    await Effect.runPromise(clusterRestart(cluster.dir, "shipping", launcher))
    await eventually("shipping to ship c3 with the order service down", async () =>
      ((await ledger(cluster, "shipping")).some((line) => line.key === "c3:ship") ? true : undefined))
    await Effect.runPromise(clusterRestart(cluster.dir, "order", launcher))
    expect(await ended(cluster, "c3", "order")).toEqual({ id: "c3", state: "completed", events: ["c3:ship:done"] })
    await expectEachEffectOnce(cluster)
  }, 120_000)
})
