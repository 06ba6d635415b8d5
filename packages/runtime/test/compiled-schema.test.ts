/**
 * What the node encodes for its own log: a value of a plain JSON Schema as
 * it is (no copy), anything else by the Schema's compiled encoder.
 */
import { raftHosted } from "@parley/raft"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { encoderOf } from "../src/compiled-schema.ts"

describe("encoderOf", () => {
  it("gives a value of a plain JSON Schema back as it is: raft's requests and responses", () => {
    const request = { seq: 3, op: { _tag: "Put" as const, key: "k", value: "v" }, at: 1_765_000_000_000 }
    expect(encoderOf(raftHosted.request)(request)).toBe(request)
    const response = { _tag: "Done" as const, seq: 3, output: { _tag: "Written" as const } }
    expect(encoderOf(raftHosted.response)(response)).toBe(response)
  })

  it("encodes by the Schema where its encoded form differs: a transformation, a default", () => {
    expect(encoderOf(Schema.Struct({ n: Schema.NumberFromString }))({ n: 4 })).toEqual({ n: "4" })
    const durable = raftHosted.durable
    const state = Schema.decodeUnknownSync(durable)({ term: 1, votedFor: null, log: [] })
    const encoded = encoderOf(durable)(state)
    expect(encoded).not.toBe(state)
    expect(Schema.decodeUnknownSync(durable)(encoded)).toEqual(state)
  })
})
