import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { PeerKey } from "../src/credentials.ts"
import { nodeLayer } from "../src/host.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"

const base = await Effect.runPromise(freeBasePort(1))
const self = { id: "n1", client: `127.0.0.1:${base + 1}`, peer: `127.0.0.1:${base + 101}` }

/** A one-node cluster in this process, with its storage swapped for memory and fast timers. */
const oneNode = (cell: { value: unknown }) =>
  nodeLayer(Storage.memory(cell)).pipe(Layer.provide(PeerKey.layer("00".repeat(32))), Layer.provide(Layer.succeed(NodeConfig, NodeConfig.of({
    self: self.id,
    nodes: [self],
    hosted: raftHosted as unknown as AnyHostedSpec,
    options: { prevote: false, checkquorum: false, maxEntriesPerAppend: 64 },
    timers: { election: { minMs: 20, maxMs: 40 }, heartbeat: { minMs: 10, maxMs: 10 }, "check-quorum": { minMs: 100, maxMs: 100 } }
  }))))

const call = (method: string, key: string, body?: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://${self.client}/v1/kv/${key}`, { method, headers: { connection: "close" }, ...(body === undefined ? {} : { body }) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

describe("a node built from its layers", () => {
  it("serves writes, and a rebuilt node recovers them from the storage layer it is given", async () => {
    const cell: { value: unknown } = { value: undefined }
    const first = await Effect.runPromise(
      Effect.gen(function*() {
        const put = yield* call("PUT", "k", "v1")
        const cas = yield* call("POST", "k/cas", JSON.stringify({ expected: "v1", value: "v2" }))
        return { put, cas }
      }).pipe(Effect.provide(oneNode(cell)), Effect.scoped)
    )
    expect(first.put).toEqual({ status: 200, body: { key: "k" } })
    expect(first.cas).toEqual({ status: 200, body: { key: "k", swapped: true, value: "v2" } })
    expect(cell.value).toMatchObject({ term: 1, votedFor: "n1" })

    const afterRestart = await Effect.runPromise(call("GET", "k").pipe(Effect.provide(oneNode(cell)), Effect.scoped))
    expect(afterRestart).toEqual({ status: 200, body: { key: "k", value: "v2" } })
  })
})
