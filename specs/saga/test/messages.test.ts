import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { ChoreographyDurable, ChoreographyMessage, ChoreographyTimer } from "../src/saga-choreography/messages.ts"
import { SagaDurable, SagaMessage, SagaTimer } from "../src/saga/messages.ts"
import { SagaRequest } from "../src/requests.ts"
import { SagaResponse } from "../src/saga/responses.ts"

describe("every message, timer and durable record has a Schema that decodes it and rejects what does not fit", () => {
  it.each([
    [SagaMessage, { _tag: "Do", saga: "order-1", step: 2, key: "order-1:charge" }],
    [SagaMessage, { _tag: "Done", saga: "order-1", step: 2, key: "order-1:charge", result: "refused" }],
    [SagaTimer, { _tag: "Decide", saga: "order-1", step: 3, key: "order-1:ship", result: "ok" }],
    [SagaDurable, { _tag: "Orchestrator", sagas: [{ saga: "order-1", log: [{ _tag: "Done", step: 1 }, { _tag: "Refused", step: 2 }], origin: "c#1" }] }],
    [SagaDurable, {
      _tag: "Service",
      ledger: [{ saga: "order-1", step: 1, op: "do", key: "order-1:reserve" }],
      answers: [{ key: "order-1:reserve", result: "ok" }],
      policy: "refuse"
    }],
    [SagaRequest, { _tag: "Start", seq: 1, saga: null }],
    [SagaResponse, { _tag: "Shown", seq: 2, saga: "trip-7", view: null }],
    [ChoreographyMessage, { _tag: "Event", event: { id: "order-1:placed", saga: "order-1", kind: "Placed", step: 0 } }],
    [ChoreographyMessage, { _tag: "Ack", id: "order-1:charge:done" }],
    [ChoreographyTimer, { _tag: "Resend", id: "order-1:charge:done" }],
    [ChoreographyDurable, {
      _tag: "Order",
      sagas: [{ saga: "order-1", outcome: null, origin: null }],
      inbox: [],
      outbox: [{ to: "inventory", event: { id: "order-1:placed", saga: "order-1", kind: "Placed", step: 0 } }]
    }]
  ] as const)("%#: decodes %j", (schema, value) => {
    expect(Schema.decodeUnknownSync(schema as Schema.Codec<unknown, unknown>)(value)).toEqual(value)
  })

  it.each([
    [SagaMessage, { _tag: "Do", saga: "order-1", step: 0, key: "order-1:reserve" }],
    [SagaMessage, { _tag: "Done", saga: "order-1", step: 1, key: "order-1:reserve", result: "maybe" }],
    [SagaDurable, { _tag: "Orchestrator", sagas: [{ saga: "order-1", log: [{ _tag: "Done", step: 1.5 }] }] }],
    [SagaDurable, { _tag: "Service", ledger: [], answers: [], policy: "sometimes" }],
    [SagaRequest, { _tag: "Start", seq: 1, saga: "no spaces" }],
    [ChoreographyMessage, { _tag: "Event", event: { id: "order-1:placed", saga: "order-1", kind: "Shipped", step: 0 } }],
    [ChoreographyDurable, { _tag: "Service", ledger: [], inbox: [], outbox: [] }]
  ] as const)("%#: rejects %j", (schema, value) => {
    expect(() => Schema.decodeUnknownSync(schema as Schema.Codec<unknown, unknown>)(value)).toThrow()
  })
})
