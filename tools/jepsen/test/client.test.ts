/**
 * A process's client against small HTTP servers on loopback that answer as
 * a node would: what it sends (its session, the same on every retry), and
 * how a workload's operation then ends: a refusal is `fail` only when no
 * earlier attempt may have got through.
 */
import type { NodeEntry } from "@parley/runtime"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { processClient } from "../src/client.ts"
import { registerWorkload } from "../src/workloads/register.ts"

interface Seen {
  readonly url: string
  readonly client: string | undefined
  readonly seq: string | undefined
}

const servers: Array<http.Server> = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** A node that gives the answers in `script`, one per request, the last one from then on. */
const node = async (id: string, script: ReadonlyArray<{ readonly status: number; readonly body: unknown }>, seen: Array<Seen>): Promise<NodeEntry> => {
  let served = 0
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", client: req.headers["parley-client"] as string | undefined, seq: req.headers["parley-seq"] as string | undefined })
    const answer = script[Math.min(served++, script.length - 1)]!
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return { id, client: `127.0.0.1:${port}`, peer: `127.0.0.1:${port + 1}` }
}

/** A port nothing listens on: connecting is refused, so the request never left. */
const deadNode = async (id: string): Promise<NodeEntry> => {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return { id, client: `127.0.0.1:${port}`, peer: `127.0.0.1:${port}` }
}

const clientFor = (nodes: ReadonlyArray<NodeEntry>) =>
  processClient({ nodes, first: nodes[0]!.id, session: "test-p0", access: {}, timeouts: { operationMs: 3000, attemptMs: 500 } })

const workload = () => registerWorkload({ keys: 1 }, "t")

describe("a process's client", () => {
  it("sends one session and one sequence number per operation, the same on every retry", async () => {
    const seen: Array<Seen> = []
    const nodes = [
      await node("n1", [{ status: 503, body: { error: "outcome unknown" } }, { status: 200, body: { key: "t-k0", value: "1" } }], seen),
      await node("n2", [{ status: 200, body: { key: "t-k0" } }], seen)
    ]
    const client = clientFor(nodes)
    const write = await workload().perform(client, { f: "write", key: "t-k0", value: 1 })
    expect(write).toEqual({ type: "ok", value: 1, node: "n2" })
    await client.call("GET", "/v1/kv/t-k0")
    expect(seen.map(({ client, seq }) => [client, seq])).toEqual([["test-p0", "1"], ["test-p0", "1"], ["test-p0", "2"]])
    expect(seen[0]!.url).toMatch(/^\/v1\/kv\/t-k0\?timeout=\d+$/)
  })

  it("records a refusal as fail, but as info after an attempt that may have got through", async () => {
    const refused = { status: 400, body: { error: "no" } }
    const first = await workload().perform(clientFor([await node("n1", [refused], [])]), { f: "write", key: "t-k0", value: 1 })
    expect(first).toMatchObject({ type: "fail", node: "n1" })
    const afterDead = await workload().perform(clientFor([await deadNode("n1"), await node("n2", [refused], [])]), { f: "write", key: "t-k0", value: 1 })
    expect(afterDead).toMatchObject({ type: "fail", node: "n2" })
    const after503 = await workload().perform(clientFor([await node("n1", [{ status: 503, body: {} }], []), await node("n2", [refused], [])]), {
      f: "write",
      key: "t-k0",
      value: 1
    })
    expect(after503).toMatchObject({ type: "info", node: "n2" })
  })

  it("records no answer before the deadline as info", async () => {
    const outcome = await workload().perform(clientFor([await deadNode("n1")]), { f: "cas", key: "t-k0", value: [null, 1] })
    expect(outcome).toMatchObject({ type: "info", error: expect.stringMatching(/no answer within 3000 ms; last: n1: ECONNREFUSED/) })
  })

  it("reads a missing key as nil, and a compare-and-set that did not swap as a failure", async () => {
    const missing = await workload().perform(clientFor([await node("n1", [{ status: 404, body: { error: "not found" } }], [])]), { f: "read", key: "t-k0", value: null })
    expect(missing).toEqual({ type: "ok", value: null, node: "n1" })
    const unchanged = await workload().perform(clientFor([await node("n1", [{ status: 200, body: { swapped: false, value: "7" } }], [])]), {
      f: "cas",
      key: "t-k0",
      value: [3, 4]
    })
    expect(unchanged).toMatchObject({ type: "fail", error: 'unchanged: the key held "7"' })
  })
})
