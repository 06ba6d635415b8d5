/**
 * The event log digests the durable state once a batch: on the last step
 * recorded when the loop ends its batch (`flush` or `settle`, held back or
 * not), the state the loop saves; the steps before it in the batch carry
 * none. Every line decodes with the log's Schema.
 */
import type { Actor, NodeContext } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Effect, Layer, Schema } from "effect"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { durableDigester, EventLogFormat, EventLogRecord } from "../src/event-log-format.ts"
import { EventLog } from "../src/event-log.ts"
import type { StepInput } from "../src/event-log.ts"
import { NodeConfig } from "../src/node-config.ts"

const dir = mkdtempSync(join(tmpdir(), "parley-batch-digest-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A reducer whose state is its durable state: a count of the steps taken. */
const counter: Actor<number, unknown, unknown, unknown, unknown, { readonly steps: number }> = {
  init: () => ({ state: 0, out: [] }),
  recover: (_context, durable) => ({ state: durable.steps, out: [] }),
  durable: (steps) => ({ steps }),
  onMessage: (steps) => ({ state: steps + 1, out: [] }),
  onTimer: (steps) => ({ state: steps + 1, out: [] }),
  onRequest: (steps) => ({ state: steps + 1, out: [] })
}

const context: NodeContext = { self: "n1", nodes: ["n1", "n2", "n3"] }
const vote = Schema.decodeUnknownSync(raftHosted.message)({ _tag: "RequestVote", term: 1, pre: false, lastLogIndex: 0, lastLogTerm: 0 })
const tick: StepInput = { _tag: "Timer", timer: "election" }
const message: StepInput = { _tag: "Message", from: "n2", message: vote }

describe("the event log's durable digest", () => {
  it("is written on each batch's last step alone, the state the loop saves", async () => {
    const config = NodeConfig.of({
      self: "n1",
      nodes: context.nodes.map((id, i) => ({ id, client: `127.0.0.1:${9000 + i}`, peer: `127.0.0.1:${9100 + i}` })),
      hosted: raftHosted,
      options: Schema.decodeUnknownSync(raftHosted.options)({}),
      timers: {}
    })
    const layer = EventLog.files(dir, { maxFileBytes: 1024 * 1024, maxFiles: 2 }).pipe(Layer.provide(Layer.succeed(NodeConfig, config)))
    const actor = counter as unknown as Actor<unknown, unknown, unknown, unknown, unknown, unknown>
    let steps = 0
    await Effect.runPromise(Effect.gen(function*() {
      const log = yield* (yield* EventLog).open(actor, context)
      const take = (...inputs: ReadonlyArray<StepInput>): void => {
        for (const input of inputs) log.record(input, { state: input._tag === "Init" ? steps : ++steps, out: [] })
      }
      take({ _tag: "Init" })
      log.flush()
      // A batch of three timers, written at once: one digest, of the third.
      take(tick, tick, tick)
      log.flush()
      // Two batches of messages alone, held back together: each ends a batch.
      take(message, message)
      log.settle()
      take(message)
      log.settle()
      // The last batch ends as the log closes.
      take(tick, tick)
    }).pipe(Effect.scoped, Effect.provide(layer)))

    const lines = readFileSync(join(dir, "n1.events.1.jsonl"), "utf8").trim().split("\n").map((line) => Schema.decodeUnknownSync(Schema.fromJsonString(EventLogRecord))(line))
    expect(lines[0]).toMatchObject({ _tag: "Start", format: EventLogFormat })
    const logged = lines.slice(1).map((line) => (line._tag === "Step" ? line.durable : "not a step"))
    const digest = (count: number): string => durableDigester()({ steps: count })
    expect(logged).toEqual([digest(0), undefined, undefined, digest(3), undefined, digest(5), digest(6), undefined, digest(8)])
  })
})
