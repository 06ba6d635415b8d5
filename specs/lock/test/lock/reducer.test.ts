import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { clientOnMessage, clientOnTimer } from "../../src/lock/client.ts"
import type { ClientState } from "../../src/lock/client.ts"
import { fencedRecipe } from "../../src/lock/config.ts"
import type { LeaseConfig } from "../../src/lock/config.ts"
import { LeaseMessage } from "../../src/lock/messages.ts"
import { lockSpec } from "../../src/lock/spec.ts"
import { resourceOnMessage, serverOnMessage } from "../../src/lock/model-messages.ts"
import { resourceInit } from "../../src/lock/resource.ts"
import { serverInit, serverOnTimer } from "../../src/lock/server.ts"

const fenced: LeaseConfig = { clients: ["c1", "c2"], ttl: 1, bugs: fencedRecipe, tickMs: 1 }
const naive: LeaseConfig = { ...fenced, bugs: lockSpec.bugsOf("naive") }

describe("lock server", () => {
  const granted = serverOnMessage(fenced, serverInit().state, "c1", { _tag: "Acquire" })

  it("grants a free lock with the next token, answers Busy while it is held, and expires it when its ttl runs out", () => {
    expect(granted.out).toEqual([{ _tag: "Send", to: "c1", message: { _tag: "Granted", token: 1 } }])
    expect(serverOnMessage(fenced, granted.state, "c2", { _tag: "Acquire" }).out).toEqual([{ _tag: "Send", to: "c2", message: { _tag: "Busy" } }])
    const expired = serverOnTimer(granted.state).state
    expect(expired).toMatchObject({ now: 1, leases: [], grants: 1 })
    expect(serverOnMessage(fenced, expired, "c2", { _tag: "Acquire" }).out).toEqual([{ _tag: "Send", to: "c2", message: { _tag: "Granted", token: 2 } }])
  })

  it("releases and renews only for the lease's own token; DEL deletes whoever holds it", () => {
    expect(serverOnMessage(fenced, granted.state, "c2", { _tag: "Release", token: 2 }).state.leases).toHaveLength(1)
    expect(serverOnMessage(fenced, granted.state, "c1", { _tag: "Release", token: 1 }).state.leases).toEqual([])
    expect(serverOnMessage(fenced, granted.state, "c1", { _tag: "Renew", token: 1 }).out).toEqual([{ _tag: "Send", to: "c1", message: { _tag: "Renewed", ok: true } }])
    expect(serverOnMessage(fenced, granted.state, "c2", { _tag: "Del" }).state.leases).toEqual([])
  })
})

describe("resource", () => {
  it("fenced: rejects a token older than the newest it accepted; naive: accepts it", () => {
    const newer = resourceOnMessage(fenced, resourceInit(), "c2", { _tag: "Write", token: 2 }).state
    const fencedOff = resourceOnMessage(fenced, newer, "c1", { _tag: "Write", token: 1 })
    expect(fencedOff.state.entries).toMatchObject([{ name: "lock", writes: [{ writer: "c2", token: 2 }], rejected: 1 }])
    expect(fencedOff.out).toEqual([{ _tag: "Send", to: "c1", message: { _tag: "WriteResult", ok: false } }])
    expect(resourceOnMessage(naive, newer, "c1", { _tag: "Write", token: 1 }).state.entries[0]!.writes).toEqual([
      { writer: "c2", token: 2, value: "c2" },
      { writer: "c1", token: 1, value: "c1" }
    ])
  })
})

describe("client", () => {
  const acquiring: ClientState = { role: "client", phase: "acquiring", token: null, attempts: 1, renewed: false }

  it("granted, it is paused until resume, then writes with its token; fenced it also renews", () => {
    const holding = clientOnMessage(fenced, acquiring, { _tag: "Granted", token: 1 })
    expect(holding.out).toEqual([{ _tag: "SetTimer", timer: "resume" }, { _tag: "SetTimer", timer: "renew" }])
    expect(clientOnMessage(naive, acquiring, { _tag: "Granted", token: 1 }).out).toEqual([{ _tag: "SetTimer", timer: "resume" }])
    expect(clientOnTimer(holding.state, "resume").out).toEqual([{ _tag: "Send", to: "resource", message: { _tag: "Write", token: 1 } }])
  })

  it("releases atomically when fenced, and with GET then DEL (only if GET returned its token) when naive", () => {
    const writing: ClientState = { ...acquiring, phase: "writing", token: 1 }
    expect(clientOnMessage(fenced, writing, { _tag: "WriteResult", ok: true }).out).toContainEqual({ _tag: "Send", to: "redis", message: { _tag: "Release", token: 1 } })
    const checking = clientOnMessage(naive, writing, { _tag: "WriteResult", ok: true })
    expect(checking.out).toContainEqual({ _tag: "Send", to: "redis", message: { _tag: "Get" } })
    expect(clientOnMessage(naive, checking.state, { _tag: "Value", token: 1 }).out).toEqual([{ _tag: "Send", to: "redis", message: { _tag: "Del" } }])
    expect(clientOnMessage(naive, checking.state, { _tag: "Value", token: 2 }).state.phase).toBe("done")
  })

  it("told its renewal failed before it wrote, a fenced client gives up without writing", () => {
    const holding: ClientState = { ...acquiring, phase: "holding", token: 1 }
    expect(clientOnMessage(fenced, holding, { _tag: "Renewed", ok: false })).toEqual({ state: { ...holding, phase: "done" }, out: [{ _tag: "CancelTimer", timer: "resume" }] })
  })
})

it("the message Schema decodes a write and rejects a token below 1", () => {
  expect(Schema.decodeUnknownSync(LeaseMessage)({ _tag: "Write", token: 3 })).toEqual({ _tag: "Write", token: 3 })
  expect(() => Schema.decodeUnknownSync(LeaseMessage)({ _tag: "Write", token: 0 })).toThrow()
})
