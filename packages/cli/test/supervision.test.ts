/**
 * A node process whose loop ends exits non-zero, saying why in its log, and
 * `parley cluster status` shows it down: here its disk fills up (a fixture
 * that is `parley node` with a storage that fails on cue).
 */
import { ensureCredentials, loopbackNodes, pidPath } from "@parley/runtime"
import { Effect } from "effect"
import { execFile, spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { bin, clusterDir, eventually, freeBase, put, stopAll } from "./cluster-harness.ts"

afterEach(stopAll)

const fixture = fileURLToPath(new URL("./fixtures/failing-storage-node.mjs", import.meta.url))

const parley = (...args: ReadonlyArray<string>) =>
  new Promise<string>((resolve) => execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (_, stdout) => resolve(stdout)))

describe("a node process whose loop ends", () => {
  it("exits non-zero when its storage fails, logs why, and shows as down", async () => {
    const dir = clusterDir()
    const [node] = loopbackNodes(await freeBase(1), 1)
    const clusterFile = join(dir, "cluster.json")
    writeFileSync(clusterFile, JSON.stringify({ spec: "raft", nodes: [node] }))
    await Effect.runPromise(ensureCredentials(dir))

    const child = spawn(process.execPath, [fixture, "node", "--spec", "raft", "--id", "n1", "--cluster", clusterFile], { stdio: ["ignore", "pipe", "pipe"] })
    writeFileSync(pidPath(dir, "n1"), `${child.pid}\n`)
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))

    await eventually("the node to take a write", async () => ((await put(node!, "before", "1")).status === 200 ? true : undefined), 30_000)
    writeFileSync(join(dir, "n1.fail"), "")
    const code = await Promise.race([exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 20_000))])
    if (code === "still running") child.kill("SIGKILL")

    expect(code).toBe(1)
    expect(stderr).toMatch(/^parley: node n1 stopped: cannot write .*n1\.sqlite: database or disk is full$/m)
    expect(stdout).toMatch(/"message":"the node loop stopped","level":"ERROR".*database or disk is full/)
    expect(await parley("cluster", "status", "--dir", dir)).toMatch(/^n1 +- +down/m)
  }, 90_000)
})
