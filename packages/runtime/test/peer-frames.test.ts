/**
 * Frames between nodes decode with the spec's Schemas, compiled
 * (compiled-schema.ts): every kind of frame a raft node sends comes back
 * as it was sent, and a frame that does not fit is refused with the
 * Schema's message naming the field, as the interpreter says it.
 */
import type { AnyHostedSpec } from "@parley/core"
import { raftHosted } from "@parley/raft"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { peerFrameJson } from "../src/transport.ts"
import type { PeerFrame } from "../src/transport.ts"

const hosted = raftHosted as unknown as AnyHostedSpec
const frames = peerFrameJson(hosted)

const put = { client: "n1.abc.0", seq: 17, op: { _tag: "Put", key: "wrk-key", value: "x".repeat(100) }, at: 1765000000000 }
const sent: ReadonlyArray<PeerFrame> = [
  { _tag: "Message", body: { _tag: "AppendEntries", term: 3, prevLogIndex: 1000, prevLogTerm: 3, leaderCommit: 999, entries: [{ term: 3, command: put }] } },
  { _tag: "Message", body: { _tag: "AppendEntries", term: 3, prevLogIndex: 7, prevLogTerm: 2, leaderCommit: 7, entries: [{ term: 3, command: null, members: ["n1", "n2"] }], read: 4 } },
  { _tag: "Message", body: { _tag: "AppendResult", term: 3, success: true, matchIndex: 1001 } },
  { _tag: "Message", body: { _tag: "RequestVote", term: 4, pre: true, lastLogIndex: 9, lastLogTerm: 3 } },
  { _tag: "Message", body: { _tag: "Vote", term: 4, pre: false, granted: true } },
  { _tag: "Message", body: { _tag: "TimeoutNow", term: 4 } },
  { _tag: "Forward", client: "n2.xyz.3", request: { seq: 2, op: { _tag: "Get", key: "k" } } }
]

/** The frame `json` decodes to, or the sentence that refuses it. */
const decoded = (json: unknown): unknown => {
  const frame = frames.decode(json)
  return Result.isSuccess(frame) ? frame.success : frame.failure
}

describe("a peer frame", () => {
  it("of every kind a raft node sends decodes to what was sent", () => {
    for (const frame of sent) expect(decoded(JSON.parse(frames.text(frame)))).toEqual(frame)
  })

  it("that does not fit is refused, the field named", () => {
    const append = { _tag: "AppendEntries", term: 3, prevLogIndex: 7, prevLogTerm: 2, leaderCommit: 7, entries: [] }
    const refusals: ReadonlyArray<readonly [unknown, RegExp]> = [
      [{ _tag: "Message", body: { ...append, term: -1 } }, /greater than or equal to 0[\s\S]*\["body"\]\["term"\]/],
      [{ _tag: "Message", body: { ...append, term: 1.5 } }, /integer[\s\S]*\["body"\]\["term"\]/],
      [{ _tag: "Message", body: { ...append, leaderCommit: undefined } }, /leaderCommit/],
      [{ _tag: "Message", body: { ...append, entries: [{ term: 1, command: { ...put, seq: "1" } }] } }, /\["entries"\]\[0\]\["command"\]/],
      [{ _tag: "Message", body: { ...append, _tag: "Append" } }, /_tag/],
      [{ _tag: "Hello", body: append }, /_tag/],
      ["AppendEntries", /frame does not decode as a raft message/]
    ]
    for (const [json, reason] of refusals) {
      const refusal = decoded(json)
      expect(typeof refusal).toBe("string")
      expect(refusal).toMatch(/^frame does not decode as a raft message: /)
      expect(refusal).toMatch(reason)
    }
  })
})
