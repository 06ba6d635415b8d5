/**
 * Lock clusters of real `parley node` processes on loopback, and real
 * `parley lock` clients: a client paused (SIGSTOP) past its lease whose
 * stale write the fenced resource refuses and the naive one takes; kill -9
 * of the lock server and the resource, after which tokens still grow and a
 * held lease is still held; a partition; bad input. And the ZooKeeper
 * recipe: a release wakes only the next waiter, and a paused holder's
 * session expires and frees the lock, and its stale write is refused too.
 * One cluster per recipe, shared.
 */
import { clusterHeal, clusterKill, clusterPartition, clusterRestart, clusterUp, readCluster } from "@parley/runtime"
import type { ApiAnswer, NodeEntry } from "@parley/runtime"
import { Effect, Result } from "effect"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { bin, callNode, clusterDir, eventually, freeBase, launcher, stopAll } from "./cluster-harness.ts"

interface LockCluster {
  readonly dir: string
  readonly node: (id: string) => NodeEntry
}

interface Setup {
  readonly variant?: string
  readonly options?: Record<string, unknown>
  readonly timers?: Record<string, { minMs: number; maxMs: number }>
}

const startLockCluster = async (spec: "lock" | "zk-lock", setup: Setup = {}): Promise<LockCluster> => {
  const dir = clusterDir()
  await Effect.runPromise(clusterUp({
    spec,
    nodes: 2,
    dir,
    basePort: await freeBase(2),
    launcher,
    hosts: hostedSpecs,
    ...setup
  }))
  const nodes = Result.getOrThrow(readCluster(dir)).nodes
  return { dir, node: (id) => nodes.find((node) => node.id === id)! }
}

/**
 * kill -9 of a node, and its start again. On a busy machine the node may
 * take longer to answer than `cluster restart` waits; the test's own probe
 * after it waits longer still, and fails if the node never answers.
 */
const crashAndRestart = async (cluster: LockCluster, id: string): Promise<void> => {
  await Effect.runPromise(clusterKill(cluster.dir, id))
  await Effect.runPromise(clusterRestart(cluster.dir, id, launcher).pipe(Effect.catchTag("ClusterControlError", (error) =>
    /did not answer/.test(error.message) ? Effect.void : Effect.fail(error))))
}

const call = (node: NodeEntry, method: string, path: string, body?: unknown): Promise<ApiAnswer> =>
  callNode(node, method, path, body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body), 15_000)

/** A `parley` process in its own process group, so that SIGSTOP pauses it and every command it runs. */
interface Client {
  readonly pid: number
  readonly output: () => string
  readonly exited: Promise<number>
}

const running = new Set<number>()

/** `parley` in a shell command that a client runs under `parley lock acquire`; the paths come in the environment. */
const parleyInShell = `"$PARLEY_NODE" "$PARLEY_BIN"`

const parley = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Client => {
  const child = spawn(process.execPath, [bin, ...args], { detached: true, env: { ...process.env, PARLEY_NODE: process.execPath, PARLEY_BIN: bin, ...env } })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  running.add(child.pid!)
  const exited = new Promise<number>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child.pid!)
      resolve(code ?? 128)
    }))
  return { pid: child.pid!, output: () => output, exited }
}

/** A client holding lock `name` until file `go` appears in the cluster's directory. */
const holdUntil = (cluster: LockCluster, name: string, go: string): Client =>
  parley(["lock", "acquire", name, "--wait", "60s", "--dir", cluster.dir, "--", "sh", "-c", `while [ ! -e "${join(cluster.dir, go)}" ]; do sleep 0.1; done`])

const release = (cluster: LockCluster, go: string) => writeFileSync(join(cluster.dir, go), "")

/** The node a waiting zk-lock client watches, once it says so. */
const watchedBy = (client: Client) =>
  eventually("the client to watch its predecessor", async () => {
    const match = /watching node (\d+)/.exec(client.output())
    return match === null ? undefined : Number(match[1])
  }, 60_000)

const tokenIn = (client: Client): number | undefined => {
  const match = /acquired \S+: token (\d+)/.exec(client.output())
  return match === null ? undefined : Number(match[1])
}

/**
 * The race fencing is for: client A takes lock `name` with a 1 s lease (a
 * zk-lock session of the cluster's timeout) and runs a command that writes
 * only when told; A is paused past its lease; B takes the lock and writes;
 * A resumes and writes with its old token.
 */
const pausedClientRace = async (cluster: LockCluster, name: string) => {
  const go = join(cluster.dir, `go-${name}`)
  const a = parley(
    ["lock", "acquire", name, "--ttl", "1s", "--dir", cluster.dir, "--", "sh", "-c", `while [ ! -e "${go}" ]; do sleep 0.1; done; ${parleyInShell} lock write ${name} from-a`]
  )
  const tokenA = await eventually("A to hold the lock", async () => tokenIn(a), 60_000)
  process.kill(-a.pid, "SIGSTOP")
  const b = parley(["lock", "acquire", name, "--ttl", "30s", "--wait", "60s", "--dir", cluster.dir, "--", "sh", "-c", `${parleyInShell} lock write ${name} from-b`])
  expect(await b.exited, b.output()).toBe(0)
  const tokenB = tokenIn(b)!
  expect(tokenB).toBeGreaterThan(tokenA)
  writeFileSync(go, "")
  process.kill(-a.pid, "SIGCONT")
  const codeA = await a.exited
  const entry = (await call(cluster.node("resource"), "GET", `/v1/resource/${name}`)).body
  return { a, codeA, tokenA, b, tokenB, entry }
}

afterAll(async () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL")
    } catch {
      // Gone already.
    }
  }
  await stopAll()
}, 60_000)

let fenced: LockCluster
let naive: LockCluster
let zk: LockCluster

/**
 * Sessions that time out after three seconds of silence, as by default,
 * but said here: a paused client's expires soon, and a restarted server
 * gives the test that long to renew before a session it kept expires.
 */
const sessions = { options: { sessionTimeoutMs: 3000 }, timers: { expire: { minMs: 3000, maxMs: 3000 } } }

// Every cluster of the file at once: starting them is most of the file's time.
beforeAll(async () => {
  ;[fenced, naive, zk] = await Promise.all([startLockCluster("lock"), startLockCluster("lock", { variant: "naive" }), startLockCluster("zk-lock", sessions)])
}, 120_000)

describe("parley cluster up lock: the fenced recipe", () => {
  const cluster = () => fenced

  it("a client paused past its lease resumes and its stale write is refused, while the next holder's write stands", async () => {
    const { a, codeA, tokenA, b, tokenB, entry } = await pausedClientRace(cluster(), "orders")
    expect(b.output()).toContain(`wrote orders with token ${tokenB}`)
    expect(codeA, a.output()).not.toBe(0)
    expect(a.output()).toContain(`write to orders refused: 409: stale token: the resource has taken token ${tokenB}`)
    expect(entry).toMatchObject({ value: "from-b", newest: tokenB, rejected: 1 })
    expect((entry["writes"] as ReadonlyArray<{ token: number }>).map((w) => w.token)).toEqual([tokenB])
    expect(tokenA).toBeLessThan(tokenB)
  })

  it("kill -9 of the lock server: a held lease is still held, and the next token is larger than every one given", async () => {
    const server = cluster().node("redis")
    const held = await call(server, "POST", "/v1/locks/kept/acquire", { owner: "keeper", ttlMs: 120_000 })
    expect(held.status).toBe(200)
    const before = (held.body["lease"] as { token: number }).token
    await crashAndRestart(cluster(), "redis")
    const busy = await eventually("the restarted server to answer", async () => {
      const answer = await call(server, "POST", "/v1/locks/kept/acquire", { owner: "another", ttlMs: 1000 })
      return answer.status === 409 ? answer : undefined
    }, 30_000)
    expect(busy.body["lease"]).toMatchObject({ holder: "keeper", token: before })
    const fresh = await call(server, "POST", "/v1/locks/fresh/acquire", { owner: "another", ttlMs: 1000 })
    expect((fresh.body["lease"] as { token: number }).token).toBe(before + 1)
  })

  it("kill -9 of the resource: it still refuses a token older than one it took before", async () => {
    const resource = cluster().node("resource")
    expect((await call(resource, "PUT", "/v1/resource/ledger", { token: 50, value: "new" })).status).toBe(200)
    await crashAndRestart(cluster(), "resource")
    const stale = await eventually("the restarted resource to answer", () => call(resource, "PUT", "/v1/resource/ledger", { token: 49, value: "old" }), 30_000)
    expect(stale.status).toBe(409)
    expect(stale.body).toMatchObject({ accepted: false, entry: { value: "new", newest: 50 } })
  })

  it("a partition between the nodes: a write forwarded across it times out; healed, it lands", async () => {
    const server = cluster().node("redis")
    await Effect.runPromise(clusterPartition(cluster().dir, "redis/resource"))
    const cut = await call(server, "PUT", "/v1/resource/cut?timeout=1500", { token: 1, value: "x" })
    expect(cut.status).toBe(503)
    await Effect.runPromise(clusterHeal(cluster().dir))
    const healed = await eventually("the healed write", async () => {
      const answer = await call(server, "PUT", "/v1/resource/cut", { token: 1, value: "x" })
      return answer.status === 200 ? answer : undefined
    })
    expect(healed.body).toMatchObject({ accepted: true })
  })

  it("bad input gets a 4xx naming the problem, and the node keeps serving", async () => {
    const server = cluster().node("redis")
    const refusals = [
      [await call(server, "GET", "/v1/lockz/x"), 404, "no route /v1/lockz/x"],
      [await call(server, "POST", "/v1/locks/x/acquire", "{not json"), 400, "the body must be JSON"],
      [await call(server, "POST", "/v1/locks/x/acquire", { owner: "o", ttlMs: 5 }), 400, "Expected a value between 100 and 3600000"],
      [await call(server, "POST", "/v1/locks/x/acquire", { owner: "o" }), 400, "ttlMs"],
      [await call(server, "POST", "/v1/locks/a%20b/acquire", { owner: "o", ttlMs: 1000 }), 400, "name"],
      [await call(server, "PUT", "/v1/resource/x", { token: 0, value: "v" }), 400, "token"],
      [await call(server, "PUT", "/v1/locks/x/acquire", { owner: "o", ttlMs: 1000 }), 405, "use POST"]
    ] as const
    for (const [answer, status, named] of refusals) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(status)
      expect(String(answer.body["error"])).toContain(named)
    }
    const badTtl = parley(["lock", "acquire", "x", "--ttl", "soon", "--dir", cluster().dir])
    expect(await badTtl.exited).toBe(2)
    expect(badTtl.output()).toContain("--ttl must be a duration such as 5s")
    expect((await call(server, "POST", "/v1/locks/x/acquire", { owner: "o", ttlMs: 1000 })).status).toBe(200)
  })
})

describe("parley cluster up lock --variant naive", () => {
  it("the paused client's stale write lands after the next holder's: the corruption fencing prevents", async () => {
    const cluster = naive
    const status = await call(cluster.node("resource"), "GET", "/v1/status")
    expect(status.body["variant"]).toBe("naive")
    const { a, codeA, tokenA, tokenB, entry } = await pausedClientRace(cluster, "orders")
    expect(codeA, a.output()).toBe(0)
    expect(a.output()).toContain(`wrote orders with token ${tokenA}`)
    expect(entry).toMatchObject({ value: "from-a", newest: tokenB, rejected: 0 })
    expect((entry["writes"] as ReadonlyArray<{ token: number }>).map((w) => w.token)).toEqual([tokenB, tokenA])
  })
})

describe("parley cluster up zk-lock", () => {
  const status = async () => (await call(zk.node("zk"), "GET", "/v1/status")).body
  /** Waits until the server holds `count` watches: a client says it watches just before its call arrives. */
  const watchesReach = (count: number) => eventually(`${count} watches at the server`, async () => ((await status())["watches"] === count ? true : undefined))

  it("each waiter watches only its predecessor: a release wakes the next client, not the herd", async () => {
    const a = holdUntil(zk, "herd", "go-a")
    const tokenA = await eventually("A to hold the lock", async () => tokenIn(a), 60_000)
    const b = holdUntil(zk, "herd", "go-b")
    expect(await watchedBy(b)).toBe(tokenA)
    const c = holdUntil(zk, "herd", "go-c")
    const watchedByC = await watchedBy(c)
    expect(watchedByC).toBeGreaterThan(tokenA)
    await watchesReach(2)

    release(zk, "go-a")
    expect(await eventually("B to hold the lock", async () => tokenIn(b), 30_000)).toBe(watchedByC)
    expect(await a.exited).toBe(0)
    // A's deletion fired B's watch alone: C still waits on B's node, unwoken.
    expect(c.output()).not.toContain("was deleted")
    expect(tokenIn(c)).toBeUndefined()
    await watchesReach(1)

    release(zk, "go-b")
    await eventually("C to hold the lock", async () => tokenIn(c), 30_000)
    expect(c.output()).toContain(`node ${watchedByC} of herd was deleted; asking again`)
    release(zk, "go-c")
    expect([await b.exited, await c.exited]).toEqual([0, 0])
  })

  it("a session expiry releases its lock: the paused holder's node goes, the waiter takes the lock, and the holder's stale write is refused", async () => {
    const expiredBefore = Number((await status())["expired"])
    const { a, codeA, b, tokenB, entry } = await pausedClientRace(zk, "session")
    // A's session expired with its node (before B asked, or while B watched it: a busy machine decides which).
    expect(Number((await status())["expired"])).toBeGreaterThan(expiredBefore)
    expect(b.output()).not.toContain("session expired")
    expect(codeA, a.output()).not.toBe(0)
    expect(a.output()).toContain("lost the lock session")
    expect(a.output()).toContain(`write to session refused: 409: stale token: the resource has taken token ${tokenB}`)
    expect(entry).toMatchObject({ value: "from-b", newest: tokenB, rejected: 1 })
  })

  it("kill -9 of the zk server: a held node and its session survive, and sequence numbers keep growing", async () => {
    const server = zk.node("zk")
    const held = await call(server, "POST", "/v1/locks/durable/acquire", { owner: "keeper", ttlMs: 1000 })
    const token = (held.body["lease"] as { token: number }).token
    await crashAndRestart(zk, "zk")
    // The renewal is the session's heartbeat: it finds the node, and keeps the session alive past the restart.
    const renewed = await eventually("the restarted server to answer", async () => {
      const answer = await call(server, "POST", "/v1/locks/durable/renew", { token })
      return answer.status === 200 ? answer : undefined
    }, 30_000)
    expect(renewed.body["lease"]).toMatchObject({ holder: "keeper", token })
    const waiting = await call(server, "POST", "/v1/locks/durable/acquire", { owner: "another", ttlMs: 1000 })
    expect(waiting.status).toBe(409)
    expect(waiting.body["waitFor"]).toBe(token)
    expect(Number((await status())["lastToken"])).toBeGreaterThan(token)
  })

  it("refuses a watch without an owner or with a node number of 0, and keeps serving", async () => {
    const server = zk.node("zk")
    const noOwner = await call(server, "POST", "/v1/locks/x/watch", { token: 1 })
    expect(noOwner.status).toBe(400)
    expect(String(noOwner.body["error"])).toContain("owner")
    const zero = await call(server, "POST", "/v1/locks/x/watch", { owner: "o", token: 0 })
    expect(zero.status).toBe(400)
    expect(String(zero.body["error"])).toContain("token")
    expect((await call(server, "POST", "/v1/locks/x/acquire", { owner: "o", ttlMs: 1000 })).status).toBe(200)
  })
})
