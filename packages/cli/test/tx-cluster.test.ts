/**
 * Two-phase commit as a real cluster: a coordinator and three participant
 * processes of the real `parley` binary on loopback, crashed with kill -9
 * and cut off with partitions, as `parley cluster` does it.
 */
import { clusterHeal, clusterKill, clusterPartition, clusterRestart, clusterUp, decodeClusterFile, readCluster } from "@parley/runtime"
import type { ApiAnswer, NodeEntry } from "@parley/runtime"
import { ownerOf, participantIds } from "@parley/twophase"
import { Effect, Result } from "effect"
import { execFile } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, stopAll } from "./cluster-harness.ts"

afterEach(stopAll)

interface TxCluster {
  readonly dir: string
  readonly nodes: ReadonlyArray<NodeEntry>
}

/** A coordinator and three participants; the coordinator waits `voteTimeoutMs` for votes, a prepared participant 300 ms before it asks. */
const startTx = async (voteTimeoutMs: number): Promise<TxCluster> => {
  const dir = clusterDir()
  await Effect.runPromise(clusterUp({
    spec: "2pc",
    nodes: 3,
    dir,
    basePort: await freeBase(4),
    launcher,
    hosts: hostedSpecs,
    timers: { "vote-timeout": { minMs: voteTimeoutMs, maxMs: voteTimeoutMs }, "in-doubt": { minMs: 300, maxMs: 300 } }
  }))
  return { dir, nodes: Result.getOrThrow(readCluster(dir)).nodes }
}

const node = (cluster: TxCluster, id: string): NodeEntry => cluster.nodes.find((entry) => entry.id === id)!

/** The first key `k1`, `k2`, … that `owner` owns, skipping `taken`. */
const keyOf = (owner: string, ...taken: ReadonlyArray<string>): string => {
  for (let n = 1; ; n++) {
    const key = `key${n}`
    if (ownerOf(participantIds(3), key) === owner && !taken.includes(key)) return key
  }
}

const transact = (at: NodeEntry, writes: Record<string, string>, timeoutMs = 10_000): Promise<ApiAnswer> =>
  callNode(at, "POST", `/v1/tx?timeout=${timeoutMs}`, JSON.stringify({ writes }), timeoutMs + 5000)

const txAt = (at: NodeEntry, id: string): Promise<ApiAnswer> => callNode(at, "GET", `/v1/tx/${id}`, undefined, 3000)

const parley = (...args: ReadonlyArray<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }))
  })

/**
 * Commits one transaction on keys of their own, retried until the peer
 * links are up (a Prepare sent before is lost, and the vote timeout
 * aborts); the id the next transaction gets.
 */
const warmUp = async (cluster: TxCluster): Promise<string> => {
  const answer = await eventually("a transaction to commit once the links are up", async () => {
    const tried = await transact(node(cluster, "coordinator"), { warm1: "1", warm2: "2", warm3: "3" }, 2000)
    return tried.status === 200 ? tried : undefined
  }, 40_000)
  return `t${Number(String(answer.body["tx"]).slice(1)) + 1}`
}

const whenState = (at: NodeEntry, id: string, state: string) =>
  eventually(`${at.id} to say ${id} is ${state}`, async () => ((await txAt(at, id)).body["state"] === state ? true : undefined))

describe("2pc as a cluster of processes", () => {
  it("commits a transaction across shards, read back through every node; parley tx put and show, and cluster status", async () => {
    const cluster = await startTx(1000)
    const [a, b, c] = [keyOf("p1"), keyOf("p2"), keyOf("p3")]
    // A Prepare sent before the peer links are up is lost and the vote timeout aborts: the first transactions may.
    const committed = await eventually("a transaction to commit once the links are up", async () => {
      const answer = await transact(node(cluster, "p2"), { [a]: "1", [b]: "2", [c]: "3" })
      return answer.status === 200 ? answer : undefined
    })
    expect(committed).toMatchObject({ status: 200, body: { outcome: "committed", votes: { p1: "yes", p2: "yes", p3: "yes" } } })
    const first = Number(String(committed.body["tx"]).slice(1))
    for (const at of cluster.nodes) {
      for (const [key, value] of [[a, "1"], [b, "2"], [c, "3"]]) {
        expect((await callNode(at, "GET", `/v1/kv/${key}`)).body).toEqual({ key, value })
      }
    }
    const put = await parley("tx", "put", `${a}=one`, `${c}=x=y`, "--dir", cluster.dir)
    const second = `t${first + 1}`
    expect(put).toMatchObject({ code: 0, stdout: `committed ${second}: p1 voted yes, p3 voted yes\n` })
    expect((await callNode(node(cluster, "p3"), "GET", `/v1/kv/${c}`)).body).toEqual({ key: c, value: "x=y" })
    const show = await parley("tx", "show", second, "--dir", cluster.dir)
    expect(show.stdout.split("\n")).toEqual(expect.arrayContaining([
      expect.stringMatching(/^coordinator +committed +\(p1 voted yes, p3 voted yes\)$/),
      expect.stringMatching(/^p1 +committed/),
      expect.stringMatching(/^p2 +unknown/)
    ]))
    const status = await parley("cluster", "status", "--dir", cluster.dir)
    expect(status.stdout).toMatch(new RegExp(`^coordinator +\\d+ +coordinator +0 +2 +${first - 1} `, "m"))
    expect(status.stdout).toMatch(/^p1 +\d+ +participant +0 +2 +\d+ +1 +\[\] +\[\]/m)
    const down = await parley("cluster", "down", "--dir", cluster.dir)
    expect(down.stdout).toBe("stopped coordinator, p1, p2, p3\n")
  })

  it("aborts a transaction that wants a locked key; kill -9 of the coordinator leaves the prepared participant blocked, and its restart aborts per its log", async () => {
    const cluster = await startTx(30_000)
    const [a, b] = [keyOf("p1"), keyOf("p2")]
    const t1 = await warmUp(cluster)
    // p2 never hears of t1, so the coordinator waits for its vote while p1 holds a's lock, prepared.
    await Effect.runPromise(clusterPartition(cluster.dir, "coordinator/p2"))
    const first = transact(node(cluster, "coordinator"), { [a]: "first", [b]: "first" }, 60_000).catch(() => undefined)
    await whenState(node(cluster, "p1"), t1, "blocked")

    const conflicting = await transact(node(cluster, "p3"), { [a]: "second" })
    expect(conflicting).toMatchObject({ status: 409, body: { outcome: "aborted", votes: { p1: "no" } } })
    expect(conflicting.body["error"]).toBe(`transaction ${String(conflicting.body["tx"])} aborted: p1 voted no`)

    await Effect.runPromise(clusterKill(cluster.dir, "coordinator"))
    await first
    expect((await txAt(node(cluster, "p1"), t1)).body).toMatchObject({ node: "p1", state: "blocked", votes: { p1: "yes" } })
    const show = await parley("tx", "show", t1, "--dir", cluster.dir)
    expect(show.stdout).toMatch(/^coordinator +no answer$/m)
    expect(show.stdout).toMatch(/^p1 +blocked +\(p1 voted yes\)$/m)

    // The log holds t1 begun and undecided: presumed abort, told to p1 and p2.
    await Effect.runPromise(clusterRestart(cluster.dir, "coordinator", launcher))
    await whenState(node(cluster, "p1"), t1, "aborted")
    expect((await txAt(node(cluster, "coordinator"), t1)).body).toMatchObject({ state: "aborted", votes: { p1: "yes", p2: null } })
    await Effect.runPromise(clusterHeal(cluster.dir))
    expect((await callNode(node(cluster, "p3"), "GET", `/v1/kv/${a}`)).status).toBe(404)
    // The lock is gone with t1.
    expect(await transact(node(cluster, "p1"), { [a]: "third" })).toMatchObject({ status: 200, body: { outcome: "committed" } })
  })

  it("a participant killed -9 after it voted yes keeps its vote and its lock, and the transaction ends whole", async () => {
    const cluster = await startTx(25_000)
    const [a, b] = [keyOf("p1"), keyOf("p2")]
    const t1 = await warmUp(cluster)
    await Effect.runPromise(clusterPartition(cluster.dir, "coordinator/p1"))
    const first = transact(node(cluster, "coordinator"), { [a]: "1", [b]: "2" }, 60_000)
    await whenState(node(cluster, "p2"), t1, "blocked")
    await Effect.runPromise(clusterKill(cluster.dir, "p2"))
    await Effect.runPromise(clusterRestart(cluster.dir, "p2", launcher))
    expect((await txAt(node(cluster, "p2"), t1)).body).toMatchObject({ votes: { p2: "yes" } })
    expect(["prepared", "blocked"]).toContain((await txAt(node(cluster, "p2"), t1)).body["state"])
    // Once the coordinator's link to the restarted p2 is up again, p2 answers: no, b is locked.
    const conflicting = await eventually("p2 to vote on a conflicting transaction", async () => {
      const answer = await transact(node(cluster, "p3"), { [b]: "other" })
      // A 503 (the coordinator did not decide in time on a busy machine) or no vote from p2 yet: ask again.
      return answer.status === 503 || (answer.body["votes"] as Record<string, unknown> | undefined)?.["p2"] === null ? undefined : answer
    }, 40_000)
    expect(conflicting).toMatchObject({ status: 409, body: { outcome: "aborted", votes: { p2: "no" } } })
    await Effect.runPromise(clusterHeal(cluster.dir))
    // p1 never voted: the coordinator's timeout aborts t1 everywhere, never half of it.
    expect(await first).toMatchObject({ status: 409, body: { tx: t1, outcome: "aborted", votes: { p1: null, p2: "yes" } } })
    await whenState(node(cluster, "p2"), t1, "aborted")
    expect((await callNode(node(cluster, "p2"), "GET", `/v1/kv/${b}`)).status).toBe(404)
  })

  it("answers bad input with a 4xx JSON error naming the problem, and keeps serving", async () => {
    const cluster = await startTx(5000)
    const at = node(cluster, "p1")
    expect(await callNode(at, "GET", "/v1/nope")).toMatchObject({ status: 404, body: { error: expect.stringMatching(/^no route \/v1\/nope; routes: \/v1\/tx, \/v1\/tx\/\{id\}, \/v1\/kv\/\{key\}/) } })
    expect(await callNode(at, "POST", "/v1/tx", "{not json")).toMatchObject({ status: 400, body: { error: expect.stringMatching(/JSON/) } })
    expect(await callNode(at, "POST", "/v1/tx", JSON.stringify({ writes: { a: 1 } }))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^the body does not fit \{"writes": \{key: value, \.\.\.\}\}: Expected string/) } })
    expect(await callNode(at, "POST", "/v1/tx", JSON.stringify({ writes: {} }))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/a transaction writes at least one key/) } })
    const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, "v"]))
    expect(await callNode(at, "POST", "/v1/tx", JSON.stringify({ writes: tooMany }))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/a transaction writes at most 1000 keys, this one 1001/) } })
    expect(await callNode(at, "POST", "/v1/tx", JSON.stringify({ writes: { a: "x".repeat(1_100_000) } }))).toMatchObject({ status: 413 })
    expect(await txAt(at, "t99")).toMatchObject({ status: 404, body: { state: "unknown", error: `p1 knows no transaction "t99"` } })
    expect(await callNode(at, "DELETE", "/v1/tx/t1")).toMatchObject({ status: 405 })
    expect(await warmUp(cluster)).toMatch(/^t\d+$/)
    const bad = await parley("tx", "put", "novalue", "--dir", cluster.dir)
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining(`expected KEY=VALUE, got "novalue"`) })
  })

  it("refuses to start a participant whose log is torn, naming the file", async () => {
    const cluster = await startTx(5000)
    await Effect.runPromise(clusterKill(cluster.dir, "p2"))
    const file = join(cluster.dir, "p2.sqlite")
    for (const extra of ["-wal", "-shm"]) rmSync(`${file}${extra}`, { force: true })
    writeFileSync(file, "SQLite format 3\0 and then nothing that a database holds")
    const failure = await Effect.runPromise(Effect.flip(clusterRestart(cluster.dir, "p2", launcher)))
    expect(failure.message).toMatch(/^node p2 exited while starting: .*p2\.sqlite/)
    // The others go on serving.
    expect((await txAt(node(cluster, "p1"), "t1")).status).toBe(404)
  })

  it("refuses a cluster file whose nodes do not fit 2pc's roles", () => {
    const nodes = [{ id: "n1", peer: "127.0.0.1:7101", client: "127.0.0.1:7001" }, { id: "n2", peer: "127.0.0.1:7102", client: "127.0.0.1:7002" }]
    const decoded = decodeClusterFile("c.json", JSON.stringify({ spec: "2pc", nodes }), hostedSpecs)
    expect(Result.isFailure(decoded) && decoded.failure.message).toBe(`cluster file c.json: a 2pc cluster needs a node "coordinator"; the others are participants`)
  })
})
