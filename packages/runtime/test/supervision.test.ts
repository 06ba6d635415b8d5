/**
 * A node whose loop ends must not linger: runHost fails with NodeStopped,
 * saying why, and closes its sockets, so the process that hosts it exits.
 * Two ways a loop ends: its storage fails (a full disk), or a step throws.
 */
import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Cause, Effect, Exit, Layer, Option, Result } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { loopbackNodes } from "../src/cluster-file.ts"
import type { NodeEntry } from "../src/cluster-file.ts"
import { ensureCredentials } from "../src/credentials.ts"
import { NodeStopped, StorageError } from "../src/errors.ts"
import { runHost } from "../src/host.ts"
import { freeBasePort } from "../src/ports.ts"
import { saved, Storage } from "../src/storage.ts"

const dirs: Array<string> = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** A one-node raft cluster file, with its credentials, in a fresh directory. */
const oneNodeCluster = async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-supervision-"))
  dirs.push(dir)
  const [node] = loopbackNodes(await Effect.runPromise(freeBasePort(1)), 1)
  const timers = { election: { minMs: 20, maxMs: 40 }, heartbeat: { minMs: 10, maxMs: 10 }, "check-quorum": { minMs: 100, maxMs: 100 } }
  writeFileSync(join(dir, "cluster.json"), JSON.stringify({ spec: "raft", nodes: [node], timers }))
  await Effect.runPromise(ensureCredentials(dir))
  return { dir, node: node! }
}

/** Storage in memory that fails every save once `failing.now` is set, as a full disk would. */
const failingStorage = (failing: { now: boolean }) =>
  Layer.succeed(Storage, Storage.of({
    load: Effect.succeed(Option.none()),
    save: () => failing.now ? Result.fail(new StorageError({ path: "test.sqlite", message: "cannot write test.sqlite: disk full" })) : saved
  }))

/** Raft, but a step that takes a Put of the key `boom` throws. */
const throwingRaft: AnyHostedSpec = {
  ...(raftHosted as unknown as AnyHostedSpec),
  actor: (nodes, options) => {
    const actor = (raftHosted as unknown as AnyHostedSpec).actor(nodes, options)
    return {
      ...actor,
      onRequest: (state, client, request) => {
        if (JSON.stringify(request).includes(`"key":"boom"`)) throw new Error("the reducer cannot take boom")
        return actor.onRequest(state, client, request)
      }
    }
  }
}

const put = (node: NodeEntry, key: string) =>
  fetch(`http://${node.client}/v1/kv/${key}?timeout=1000`, { method: "PUT", body: "v", headers: { connection: "close" } }).then((r) => r.status, () => undefined)

const refusesConnections = (address: string): Promise<boolean> =>
  new Promise((resolve) => {
    const [host, port] = address.split(":") as [string, string]
    const socket = net.connect({ host, port: Number(port) }, () => (socket.destroy(), resolve(false)))
    socket.on("error", () => resolve(true))
  })

/** Runs the node until it stops, meanwhile calling `poke` once it serves; returns how it ended. (What it logs is runHost's JSON on stdout: the CLI's tests read it.) */
const runUntilStopped = async (hosted: AnyHostedSpec, storage: Layer.Layer<Storage>, poke: (node: NodeEntry) => Promise<unknown>) => {
  const { dir, node } = await oneNodeCluster()
  const host = runHost(
    { clusterFile: join(dir, "cluster.json"), id: node.id, spec: "raft", dataDir: dir, logLevel: "None", hostedSpecs: [hosted] },
    { storage }
  )
  const running = Effect.runPromiseExit(host.pipe(Effect.timeout(20_000)))
  while ((await put(node, "warm-up")) !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
  await poke(node)
  return { exit: await running, node }
}

const stoppedWith = (exit: Exit.Exit<unknown, unknown>): string => {
  if (!Exit.isFailure(exit)) throw new Error("the node did not stop")
  const error = Cause.squash(exit.cause)
  expect(error).toBeInstanceOf(NodeStopped)
  return (error as NodeStopped).message
}

describe("a node whose loop ends", () => {
  it("stops when its storage fails, says why, and closes its sockets", async () => {
    const failing = { now: false }
    const { exit, node } = await runUntilStopped(raftHosted as unknown as AnyHostedSpec, failingStorage(failing), async (node) => {
      failing.now = true
      await put(node, "after")
    })
    expect(stoppedWith(exit)).toBe("node n1 stopped: cannot write test.sqlite: disk full")
    expect(await refusesConnections(node.client)).toBe(true)
    expect(await refusesConnections(node.peer)).toBe(true)
  }, 30_000)

  it("stops when a step throws, naming the exception", async () => {
    const { exit } = await runUntilStopped(throwingRaft, failingStorage({ now: false }), (node) => put(node, "boom"))
    expect(stoppedWith(exit)).toBe("node n1 stopped: a step threw: the reducer cannot take boom")
  }, 30_000)
})
