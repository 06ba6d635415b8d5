import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { zkClientOnMessage, zkRecipe } from "../../src/zk-lock/client.ts"
import type { ZkClientState } from "../../src/zk-lock/client.ts"
import { ZkMessage, ZkTimer } from "../../src/zk-lock/messages.ts"
import { zkServerOnMessage, zkServerOnTimer } from "../../src/zk-lock/model-messages.ts"
import { zkServerInit } from "../../src/zk-lock/server.ts"
import type { ZkServerState } from "../../src/zk-lock/server.ts"

const createAll = (...clients: ReadonlyArray<string>): ZkServerState =>
  clients.reduce((s, c) => zkServerOnMessage(s, c, { _tag: "Create" }).state, zkServerInit)

describe("zk server", () => {
  it("numbers ephemeral nodes in creation order and opens each client's session with an expiry timer", () => {
    const first = zkServerOnMessage(zkServerInit, "c1", { _tag: "Create" })
    expect(first.out).toEqual([{ _tag: "Send", to: "c1", message: { _tag: "Created", seq: 1 } }, { _tag: "SetTimer", timer: { _tag: "Expire", session: "c1" } }])
    expect(createAll("c1", "c2").children).toEqual([{ name: "lock", seq: 1, owner: "c1" }, { name: "lock", seq: 2, owner: "c2" }])
  })

  it("deleting a watched node notifies only its watcher", () => {
    const watched = zkServerOnMessage(zkServerOnMessage(createAll("c1", "c2", "c3"), "c2", { _tag: "Exists", seq: 1 }).state, "c3", { _tag: "Exists", seq: 2 }).state
    const deleted = zkServerOnMessage(watched, "c1", { _tag: "Delete", seq: 1 })
    expect(deleted.out).toEqual([
      { _tag: "Send", to: "c2", message: { _tag: "NodeDeleted", seq: 1 } },
      { _tag: "Send", to: "c1", message: { _tag: "DeleteResult" } }
    ])
  })

  it("session expiry deletes the client's node, fires its watch, and the server ignores the client afterwards", () => {
    const watched = zkServerOnMessage(createAll("c1", "c2", "c3"), "c3", { _tag: "Exists", seq: 2 }).state
    const expired = zkServerOnTimer(watched, { _tag: "Expire", session: "c2" })
    expect(expired.state.children.map((n) => n.seq)).toEqual([1, 3])
    expect(expired.out).toEqual([
      { _tag: "Send", to: "c3", message: { _tag: "NodeDeleted", seq: 2 } },
      { _tag: "Send", to: "c2", message: { _tag: "SessionExpired" } }
    ])
    expect(zkServerOnMessage(expired.state, "c2", { _tag: "Create" }).out).toEqual([{ _tag: "Send", to: "c2", message: { _tag: "SessionExpired" } }])
  })
})

describe("zk client", () => {
  const listing: ZkClientState = { role: "client", phase: "listing", own: 3, watched: null }

  it("holds when its node is the lowest, and otherwise watches only its predecessor", () => {
    expect(zkClientOnMessage(zkRecipe, { ...listing, own: 1 }, { _tag: "Children", seqs: [1, 3] }).state.phase).toBe("holding")
    expect(zkClientOnMessage(zkRecipe, listing, { _tag: "Children", seqs: [1, 2, 3] })).toEqual({
      state: { ...listing, phase: "checking", watched: 2 },
      out: [{ _tag: "Send", to: "zk", message: { _tag: "Exists", seq: 2 } }]
    })
  })

  it("woken by its predecessor's deletion it lists the children again; assume-lowest takes the lock at once", () => {
    const waiting: ZkClientState = { ...listing, phase: "waiting", watched: 2 }
    expect(zkClientOnMessage(zkRecipe, waiting, { _tag: "NodeDeleted", seq: 2 }).out).toEqual([{ _tag: "Send", to: "zk", message: { _tag: "GetChildren", watch: false } }])
    expect(zkClientOnMessage({ ...zkRecipe, assumeLowest: true }, waiting, { _tag: "NodeDeleted", seq: 2 }).state.phase).toBe("holding")
  })

  it("a predecessor gone before the watch was set sends it back to listing", () => {
    const checking: ZkClientState = { ...listing, phase: "checking", watched: 2 }
    expect(zkClientOnMessage(zkRecipe, checking, { _tag: "ExistsResult", seq: 2, exists: false }).state.phase).toBe("listing")
  })
})

it("the Schemas decode an expiry timer and reject a node number of 0", () => {
  expect(Schema.decodeUnknownSync(ZkTimer)({ _tag: "Expire", session: "c2" })).toEqual({ _tag: "Expire", session: "c2" })
  expect(() => Schema.decodeUnknownSync(ZkMessage)({ _tag: "Delete", seq: 0 })).toThrow()
})
