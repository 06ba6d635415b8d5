/**
 * A message's JSON made once for the wire and the event log: the frame's
 * text is what the frame's Schema encodes, and a message that came off the
 * wire is logged as the JSON it came as: the frame's own text of it when
 * that is the body alone.
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

  it("is, for a message read from a frame's text, that text as it came, not JSON made again", () => {
    const body = `{"_tag":"AppendEntries", "term":3,"prevLogIndex":7,"prevLogTerm":2,"entries":[],"leaderCommit":7,"note":"kept"}`
    const frame = frames.read(`{"_tag":"Message","body":${body}}`)
    if (Result.isFailure(frame) || frame.success._tag !== "Message") throw new Error(`did not read: ${JSON.stringify(frame)}`)
    expect(frame.success.body).toEqual(append)
    expect(arrivedJson(hosted.message)(frame.success.body)).toBe(body)
  })

  it("is, for a frame whose text after the body's key is not the body alone, the body as parsed", () => {
    const texts = [
      `{"_tag":"Message","body":{"_tag":"TimeoutNow","term":1},"body":{"_tag":"TimeoutNow","term":2}}`,
      `{"_tag":"Message","body":{"_tag":"TimeoutNow","term":2},"extra":1}`,
      `{"_tag":"Message","body":{"_tag":"TimeoutNow",\n"term":2}}`
    ]
    for (const text of texts) {
      const frame = frames.read(text)
      if (Result.isFailure(frame) || frame.success._tag !== "Message") throw new Error(`did not read: ${JSON.stringify(frame)}`)
      expect(frame.success.body).toEqual({ _tag: "TimeoutNow", term: 2 })
      expect(arrivedJson(hosted.message)(frame.success.body)).toBe(`{"_tag":"TimeoutNow","term":2}`)
    }
  })

  it("is refused with the reason when a frame's text is not JSON or not a message of the spec", () => {
    expect(frames.read(`{"_tag":"Message","body":{"_tag":"TimeoutNow"`)).toEqual(Result.fail(expect.stringMatching(/^frame is not JSON: /)))
    expect(frames.read("{nope")).toEqual(Result.fail(expect.stringMatching(/^frame is not JSON: /)))
    expect(frames.read(`{"_tag":"Message","body":{"_tag":"TimeoutNow","term":-1}}`)).toEqual(
      Result.fail(expect.stringMatching(/^frame does not decode as a raft message: [\s\S]*\["body"\]\["term"\]/))
    )
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
