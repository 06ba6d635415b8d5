import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import * as net from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { clusterDown, clusterUp } from "../src/cluster-control.ts"
import { freeBasePort } from "../src/ports.ts"

const dirs: Array<string> = []
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-up-"))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await Effect.runPromise(clusterDown(dir)).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
})

/** Stands in for `parley`: a process that says why it cannot start and exits, as a node does when it cannot listen. */
const failingLauncher = { executable: process.execPath, args: ["-e", "console.error('parley: cannot start, for a reason'); process.exit(1)", "--"] }

const failureOf = async (effect: Effect.Effect<unknown, { readonly message: string }>) =>
  (await Effect.runPromise(Effect.flip(effect))).message

describe("starting a local cluster", () => {
  it("refuses ports another process holds, naming them, before starting any node", async () => {
    const base = await Effect.runPromise(freeBasePort(2))
    const holder = net.createServer()
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: base + 102 }, resolve))
    try {
      const dir = freshDir()
      const message = await failureOf(clusterUp({ spec: "raft", nodes: 2, dir, basePort: base, launcher: failingLauncher }))
      expect(message).toBe(`127.0.0.1:${base + 102} is in use by another process; choose another --base-port`)
    } finally {
      holder.close()
    }
  })

  it("names a node that exits while starting, with the last line it logged, instead of waiting for it to answer", async () => {
    const dir = freshDir()
    const message = await failureOf(clusterUp({ spec: "raft", nodes: 3, dir, basePort: await Effect.runPromise(freeBasePort(3)), launcher: failingLauncher }))
    expect(message).toMatch(/^node (n\d) exited while starting: parley: cannot start, for a reason; its log is .*\1\.log$/)
  })
})
