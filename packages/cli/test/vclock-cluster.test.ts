/**
 * The vector-clock specs as clusters of real `parley node` processes on
 * loopback, as `parley cluster up causal-broadcast` and `parley cluster up
 * dynamo-register` start them. Causal broadcast: a delayed link (held with
 * `parley cluster hold`) makes a reply reach a node before the message it
 * answers, and the reply waits; kill -9, restart and a partition are made
 * up for by the digests. The Dynamo-style store: two clients' concurrent
 * writes both survive as siblings, a write with the merged context resolves
 * them, the store survives kill -9, and replication cut off by a partition
 * is resent once it heals. One cluster of each for the file.
 */
import { clusterHeal, clusterHold, clusterKill, clusterPartition, clusterRestart, clusterStatus, clusterUp, readCluster } from "@parley/runtime"
import type { ApiAnswer, NodeEntry } from "@parley/runtime"
import { compare } from "@parley/vclock"
import { Effect, Result } from "effect"
import { execFile } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, stopAll } from "./cluster-harness.ts"

afterAll(stopAll)

interface Cluster {
  readonly dir: string
  readonly node: (id: string) => NodeEntry
}

const start = async (spec: string, timers: Record<string, { minMs: number; maxMs: number }> = {}): Promise<Cluster> => {
  const dir = clusterDir()
  await Effect.runPromise(clusterUp({ spec, nodes: 3, dir, basePort: await freeBase(3), launcher, hosts: hostedSpecs, timers }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  return { dir, node: (id) => nodes.find((entry) => entry.id === id)! }
}

const parley = (...args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

interface Shown {
  readonly id: string
  readonly clock: Record<string, number>
  readonly text: string
  readonly inReplyTo: string | null
}

describe("causal-broadcast as a cluster of processes", () => {
  let chat: Cluster
  const post = (at: string, body: unknown): Promise<ApiAnswer> => callNode(chat.node(at), "POST", "/v1/messages", JSON.stringify(body), 7000)
  const list = async (at: string): Promise<{ messages: ReadonlyArray<Shown>; pending: number }> => {
    const answer = await callNode(chat.node(at), "GET", "/v1/messages?limit=1000", undefined, 7000)
    return answer.body as unknown as { messages: ReadonlyArray<Shown>; pending: number }
  }
  const texts = async (at: string) => (await list(at)).messages.map((m) => m.text)
  const delivered = (at: string, text: string) =>
    eventually(`${at} to deliver ${JSON.stringify(text)}`, async () => ((await texts(at)).includes(text) ? true : undefined), 20_000)

  // Digests every 300 ms: a message lost while a link was coming up is sent again soon.
  beforeAll(async () => {
    chat = await start("causal-broadcast", { sync: { minMs: 300, maxMs: 300 } })
  }, 60_000)

  it("delivers every post at every node, each with its vector clock, and reports them in status", async () => {
    for (const at of ["n1", "n2", "n3"]) expect(await post(at, { text: `hello from ${at}` })).toMatchObject({ status: 201 })
    for (const at of ["n1", "n2", "n3"]) for (const from of ["n1", "n2", "n3"]) await delivered(at, `hello from ${from}`)
    const own = (await list("n2")).messages.find((m) => m.text === "hello from n2")!
    expect(own).toMatchObject({ id: "n2#1", inReplyTo: null })
    expect(own.clock["n2"]).toBe(1)
    const reports = await Effect.runPromise(clusterStatus(chat.dir, hostedSpecs))
    expect(reports.map((r) => r.status)).toEqual(["n1", "n2", "n3"].map((id) => expect.objectContaining({ id, messages: 3, pending: 0, heldLinks: [] })))
  }, 60_000)

  it("over a delayed link a reply reaches n3 first and waits; it is delivered right after the message it answers arrives", async () => {
    await Effect.runPromise(clusterHold(chat.dir, "n1", ["n3"]))
    try {
      const question = (await post("n1", { text: "lunch at noon?" })).body as unknown as Shown
      await delivered("n2", "lunch at noon?")
      const answer = await post("n2", { text: "yes!", inReplyTo: question.id })
      expect(answer).toMatchObject({ status: 201, body: { inReplyTo: question.id } })
      expect(compare(question.clock, (answer.body as unknown as Shown).clock)).toBe("before")

      await eventually("the reply to wait at n3", async () => ((await list("n3")).pending === 1 ? true : undefined))
      expect(await texts("n3")).not.toContain("yes!")
      expect(await post("n3", { text: "me too", inReplyTo: question.id })).toMatchObject({
        status: 409,
        body: { error: expect.stringMatching(/^n3 has not delivered n1#\d+/) }
      })
    } finally {
      await Effect.runPromise(clusterHold(chat.dir, "n1", []))
    }
    await delivered("n3", "yes!")
    const atN3 = await texts("n3")
    expect(atN3.indexOf("lunch at noon?")).toBeLessThan(atN3.indexOf("yes!"))
    expect((await list("n3")).pending).toBe(0)
  }, 60_000)

  it("a node killed with -9 keeps what it delivered and, restarted, gets what was posted while it was down", async () => {
    const before = await texts("n3")
    await Effect.runPromise(clusterKill(chat.dir, "n3"))
    expect(await post("n1", { text: "while n3 was down" })).toMatchObject({ status: 201 })
    await Effect.runPromise(clusterRestart(chat.dir, "n3", launcher))
    await delivered("n3", "while n3 was down")
    expect((await texts("n3")).slice(0, before.length)).toEqual(before)
  }, 60_000)

  it("a post cut off by a partition reaches the other side once it heals", async () => {
    await Effect.runPromise(clusterPartition(chat.dir, "n1/n2,n3"))
    expect(await post("n1", { text: "anyone there?" })).toMatchObject({ status: 201 })
    expect(await texts("n2")).not.toContain("anyone there?")
    await Effect.runPromise(clusterHeal(chat.dir))
    await delivered("n2", "anyone there?")
    await delivered("n3", "anyone there?")
  }, 60_000)

  it("refuses bad input with a 400 that names the problem, and keeps serving", async () => {
    expect(await post("n1", { text: 5 })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^the body does not fit .*\["text"\]/) } })
    expect(await post("n1", { text: "x", inReplyTo: "yesterday" })).toMatchObject({ status: 400, body: { error: expect.stringContaining(`["inReplyTo"]`) } })
    expect(await callNode(chat.node("n1"), "GET", "/v1/messages?limit=0")).toMatchObject({ status: 400, body: { error: expect.stringContaining(`["limit"]`) } })
    expect(await callNode(chat.node("n1"), "POST", "/v1/messages", "{not json")).toMatchObject({ status: 400 })
    expect(await post("n1", { text: "still here" })).toMatchObject({ status: 201 })
  }, 30_000)
})

describe("dynamo-register as a cluster of processes", () => {
  let store: Cluster
  const put = (at: string, key: string, value: string, context?: string): Promise<ApiAnswer> =>
    callNode(store.node(at), "PUT", `/v1/kv/${key}${context === undefined ? "" : `?context=${encodeURIComponent(context)}`}`, value, 7000)
  const get = (at: string, key: string): Promise<ApiAnswer> => callNode(store.node(at), "GET", `/v1/kv/${key}`, undefined, 7000)
  const valuesAt = async (at: string, key: string) => {
    const answer = await get(at, key)
    return answer.status === 200 ? (answer.body["siblings"] as ReadonlyArray<{ value: string }>).map((s) => s.value).sort() : []
  }
  const holds = (at: string, key: string, values: ReadonlyArray<string>) =>
    eventually(`${at} to hold ${values.join(", ")} for ${key}`, async () => (JSON.stringify(await valuesAt(at, key)) === JSON.stringify(values) ? true : undefined), 20_000)

  beforeAll(async () => {
    store = await start("dynamo-register")
  }, 60_000)

  it("concurrent writes from two clients both survive as siblings, and parley kv get prints them with their context", async () => {
    expect(await put("n1", "greeting", "hello")).toMatchObject({ status: 200, body: { clock: { n1: 1 }, context: "n1:1" } })
    expect(await put("n2", "greeting", "bonjour")).toMatchObject({ status: 200, body: { clock: { n2: 1 }, context: "n2:1" } })
    for (const at of ["n1", "n2", "n3"]) await holds(at, "greeting", ["bonjour", "hello"])
    expect(await get("n3", "greeting")).toMatchObject({ status: 200, body: { context: "n1:1,n2:1" } })

    const shown = await parley("kv", "get", "greeting", "--dir", store.dir, "--node", "n3")
    expect(shown.stdout).toBe(
      `2 concurrent siblings:\n  "hello" [n1:1]\n  "bonjour" [n2:1]\ncontext n1:1,n2:1  (put with --context n1:1,n2:1 to resolve them)\n`
    )
  }, 60_000)

  it("a write with the merged context resolves the siblings on every replica; parley kv put passes the context", async () => {
    const written = await parley("kv", "put", "greeting", "hello, bonjour", "--context", "n1:1,n2:1", "--dir", store.dir, "--node", "n3")
    expect(written).toMatchObject({ code: 0, stdout: "OK\ncontext n1:1,n2:1,n3:1\n" })
    for (const at of ["n1", "n2", "n3"]) await holds(at, "greeting", ["hello, bonjour"])
    expect(await get("n1", "greeting")).toMatchObject({ body: { siblings: [{ value: "hello, bonjour", clock: { n1: 1, n2: 1, n3: 1 } }], context: "n1:1,n2:1,n3:1" } })
  }, 60_000)

  it("two writes through one replica from no context are siblings too, not one silently replacing the other", async () => {
    await put("n1", "colour", "red")
    await put("n1", "colour", "blue")
    await holds("n1", "colour", ["blue", "red"])
  }, 30_000)

  it("a replica killed with -9 keeps its siblings, and gives a fresh clock to its next write", async () => {
    await Effect.runPromise(clusterKill(store.dir, "n1"))
    await Effect.runPromise(clusterRestart(store.dir, "n1", launcher))
    expect(await valuesAt("n1", "colour")).toEqual(["blue", "red"])
    expect(await put("n1", "colour", "green")).toMatchObject({ status: 200, body: { clock: { n1: 3 } } })
    await holds("n1", "colour", ["blue", "green", "red"])
  }, 60_000)

  it("a write cut off by a partition reaches the other side once it heals: replication is resent until acknowledged", async () => {
    await Effect.runPromise(clusterPartition(store.dir, "n1,n2/n3"))
    expect(await put("n1", "weather", "sunny")).toMatchObject({ status: 200 })
    await holds("n2", "weather", ["sunny"])
    expect(await valuesAt("n3", "weather")).toEqual([])
    await Effect.runPromise(clusterHeal(store.dir))
    await holds("n3", "weather", ["sunny"])
  }, 60_000)

  it("refuses a bad context with a 400 that names it, and keeps serving", async () => {
    expect(await put("n2", "k", "v", "n1")).toMatchObject({ status: 400, body: { error: expect.stringContaining("a context is node:counter pairs") } })
    expect(await put("n2", "k", "v", "n1:0")).toMatchObject({ status: 400 })
    expect(await callNode(store.node("n2"), "DELETE", "/v1/kv/k")).toMatchObject({ status: 405 })
    expect(await get("n2", "missing")).toMatchObject({ status: 404, body: { error: `key "missing" not found` } })
    expect(await put("n2", "k", "v")).toMatchObject({ status: 200 })
  }, 30_000)
})
