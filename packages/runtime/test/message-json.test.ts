/**
 * A message's JSON made once for the wire and the event log: the frame's
 * text is what the frame's Schema encodes, and a message that came off the
 * wire is logged as the JSON it came as.
 */
import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { arrivedJson, messageJson } from "../src/message-json.ts"
import { peerFrameJson } from "../src/transport.ts"
import type { PeerFrame } from "../src/transport.ts"

const hosted = raftHosted as unknown as AnyHostedSpec
const frames = peerFrameJson(hosted)
const append = { _tag: "AppendEntries", term: 3, prevLogIndex: 7, prevLogTerm: 2, entries: [], leaderCommit: 7 }

describe("a message's JSON", () => {
  it("is the text of what the frame's Schema encodes, for a protocol message and for any other frame", () => {
    const message: PeerFrame = { _tag: "Message", body: append }
    const forward: PeerFrame = { _tag: "Forward", client: "c1", request: { seq: 1, op: { _tag: "Get", key: "k" } } }
    for (const frame of [message, forward]) expect(JSON.parse(frames.text(frame))).toEqual(frames.encode(frame))
  })

  it("is made once per message: the same message gives the very same text", () => {
    const text = messageJson(hosted.message)
    const message = { ...append }
    expect(text(message)).toBe(text(message))
    expect(JSON.parse(text(message))).toEqual(append)
  })

  it("is, for a message that came off the wire, the JSON it came as, and otherwise its own encoding", () => {
    const wire = { _tag: "Message", body: { ...append, note: "a field the Schema does not keep" } }
    const decoded = frames.decode(wire)
    if (Result.isFailure(decoded) || decoded.success._tag !== "Message") throw new Error(`did not decode: ${JSON.stringify(decoded)}`)
    const arrived = arrivedJson(hosted.message)
    expect(JSON.parse(arrived(decoded.success.body))).toEqual(wire.body)
    expect(JSON.parse(arrived({ ...append }))).toEqual(append)
  })
})
