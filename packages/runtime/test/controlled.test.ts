/**
 * Controlled mode: a Raft node in this process that takes only the steps
 * its control channel hands it, over real HTTP on loopback. It starts with
 * its election timer armed and sends nothing; a fired timer makes it
 * campaign; a vote makes it lead; what it sent comes back in the answer,
 * once, and nothing reaches a peer. What does not fit is refused with the
 * reason, and the node goes on.
 */
import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { controlPaths } from "../src/control-protocol.ts"
import { checkerSteps } from "../src/controlled.ts"
import { PeerKey } from "../src/credentials.ts"
import { controlledNodeLayer } from "../src/host.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"

const base = await Effect.runPromise(freeBasePort(3))
const nodes = [1, 2, 3].map((i) => ({ id: `n${i}`, client: `127.0.0.1:${base + i}`, peer: `127.0.0.1:${base + 100 + i}` }))
const control = `127.0.0.1:${base + 151}`

const controlledN1 = controlledNodeLayer(Storage.memory({ value: undefined }), control).pipe(
  checkerSteps,
  Layer.provide(PeerKey.layer("00".repeat(32))),
  Layer.provide(Layer.succeed(NodeConfig, NodeConfig.of({
    self: "n1",
    nodes,
    hosted: raftHosted as unknown as AnyHostedSpec,
    options: { prevote: false, checkquorum: false, maxEntriesPerAppend: 1 },
    // Delays that would fire at once if the node used them: it must not.
    timers: { election: { minMs: 1, maxMs: 1 }, heartbeat: { minMs: 1, maxMs: 1 }, "check-quorum": { minMs: 1, maxMs: 1 } }
  })))
)

interface Answer {
  readonly status: number
  readonly body: Record<string, unknown>
}

const call = (method: "GET" | "POST", path: string, body?: string) =>
  Effect.promise(async (): Promise<Answer> => {
    const response = await fetch(`http://${control}${path}`, { method, headers: { connection: "close" }, ...(body === undefined ? {} : { body }) })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

const step = (event: unknown) => call("POST", controlPaths.step, JSON.stringify(event))

describe("a node in controlled mode", () => {
  it("takes only the steps it is handed, reports what each did, and refuses what does not fit", () =>
    Effect.runPromise(Effect.gen(function*() {
      const started = yield* call("GET", controlPaths.report)
      expect(started.status).toBe(200)
      expect(started.body).toMatchObject({ sent: [], replies: [], armed: [`"election"`], state: { role: "follower", term: 0 } })
      expect(started.body["durable"]).toMatchObject({ term: 0, votedFor: null })

      const campaign = yield* step({ _tag: "Timer", key: `"election"` })
      expect(campaign.status).toBe(200)
      expect(campaign.body["sent"]).toEqual([
        { to: "n2", message: { _tag: "RequestVote", term: 1, pre: false, lastLogIndex: 0, lastLogTerm: 0 } },
        { to: "n3", message: { _tag: "RequestVote", term: 1, pre: false, lastLogIndex: 0, lastLogTerm: 0 } }
      ])
      expect(campaign.body).toMatchObject({ armed: [`"election"`], state: { role: "candidate", term: 1, votedFor: "n1" } })
      // What was reported is taken: the next report holds nothing sent since.
      expect((yield* call("GET", controlPaths.report)).body["sent"]).toEqual([])

      const elected = yield* step({ _tag: "Message", from: "n2", message: { _tag: "Vote", term: 1, pre: false, granted: true } })
      expect(elected.body).toMatchObject({ armed: [`"heartbeat"`], state: { role: "leader", term: 1, leader: "n1" } })
      expect((elected.body["sent"] as ReadonlyArray<{ readonly to: string }>).map((send) => send.to)).toEqual(["n2", "n3"])

      expect(yield* step({ _tag: "Timer", key: `"election"` })).toEqual({ status: 409, body: { error: `timer "election" is not armed; armed: "heartbeat"` } })
      const garbled = yield* call("POST", controlPaths.step, "{not json")
      expect(garbled).toEqual({ status: 400, body: { error: "the step must be JSON: a Message, Timer or Request event" } })
      const alien = yield* step({ _tag: "Message", from: "n2", message: { _tag: "Vote", term: -1 } })
      expect(alien.status).toBe(400)
      expect(alien.body["error"]).toMatch(/^the step does not fit raft's events: /)
      expect(yield* call("GET", "/v1/control/nothing")).toMatchObject({ status: 404 })

      // Refused steps changed nothing.
      expect((yield* call("GET", controlPaths.report)).body).toMatchObject({ armed: [`"heartbeat"`], state: { role: "leader", term: 1 } })
    }).pipe(Effect.provide(controlledN1), Effect.scoped)), 30_000)
})
