import { raftHosted } from "@parley/raft"
import type { AnyHostedSpec } from "@parley/core"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { decodeClusterFile, timerRanges } from "../src/cluster-file.ts"
import { parsePartition } from "../src/cluster-dir.ts"

const hosted: ReadonlyArray<AnyHostedSpec> = [raftHosted as unknown as AnyHostedSpec]
const nodes = [
  { id: "n1", peer: "127.0.0.1:7101", client: "127.0.0.1:7001" },
  { id: "n2", peer: "127.0.0.1:7102", client: "127.0.0.1:7002" }
]

const problem = (value: unknown): string => {
  const decoded = decodeClusterFile("c.json", typeof value === "string" ? value : JSON.stringify(value), hosted)
  return Result.isFailure(decoded) ? decoded.failure.message : "decoded"
}

describe("the cluster file", () => {
  it("decodes with defaults for timers and options, and lets the file override a timer", () => {
    const decoded = decodeClusterFile("c.json", JSON.stringify({ spec: "raft", nodes, timers: { heartbeat: { minMs: 20, maxMs: 20 } } }), hosted)
    if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
    expect(decoded.success.options).toEqual({
      prevote: true,
      checkquorum: true,
      leaseReads: false,
      pipelinedAppends: true,
      maxEntriesPerAppend: 256,
      snapshotEvery: 1024,
      snapshotChunkBytes: 1_048_576,
      membershipChanges: true,
      sessionExpiryMs: 600_000
    })
    expect(timerRanges(decoded.success.file, decoded.success.hosted)).toEqual({
      election: { minMs: 500, maxMs: 1000 },
      heartbeat: { minMs: 20, maxMs: 20 },
      "check-quorum": { minMs: 1000, maxMs: 1000 },
      lease: { minMs: 400, maxMs: 400 }
    })
  })

  it("names what is wrong", () => {
    expect(problem("{")).toMatch(/^cluster file c\.json: not JSON/)
    expect(problem({ spec: "zab", nodes })).toMatch(/spec "zab" cannot be hosted; these can: raft/)
    expect(problem({ spec: "raft", nodes: [] })).toMatch(/nodes/)
    expect(problem({ spec: "raft", nodes: [nodes[0], { ...nodes[1], id: "n1" }] })).toMatch(/node id "n1" appears twice/)
    expect(problem({ spec: "raft", nodes: [nodes[0], { ...nodes[1], peer: "127.0.0.1:7101" }] })).toMatch(/address 127\.0\.0\.1:7101 is used twice/)
    expect(problem({ spec: "raft", nodes: [{ ...nodes[0], client: "localhost" }] })).toMatch(/expected "host:port"/)
    expect(problem({ spec: "raft", nodes, timers: { tick: { minMs: 1, maxMs: 2 } } })).toMatch(/no timer "tick"; its timers: election, heartbeat, check-quorum, lease/)
    expect(problem({ spec: "raft", nodes, timers: { "add-member": { minMs: 1, maxMs: 2 } } })).toMatch(/timer "add-member" is how raft's model asks for a change, never armed by a cluster: .*parley cluster add NODE/)
    expect(problem({ spec: "raft", nodes, timers: { election: { minMs: 9, maxMs: 2 } } })).toMatch(/minMs 9 above maxMs 2/)
    expect(problem({ spec: "raft", nodes, options: { prevote: "yes" } })).toMatch(/options: .*prevote/)
    expect(problem({ spec: "raft", nodes, options: { sessionExpiryMs: 5 } })).toMatch(/options: .*sessionExpiryMs/)
    expect(problem({ spec: "raft", nodes, options: { leaseReads: true, checkquorum: false } })).toMatch(/leaseReads needs checkquorum/)
    expect(problem({ spec: "raft", nodes, variant: "fast-read" })).toMatch(/no variant "fast-read"; its variants: .*stale-read/)
  })

  it("hosts a known-buggy variant the spec declares", () => {
    const decoded = decodeClusterFile("c.json", JSON.stringify({ spec: "raft", nodes, variant: "stale-read" }), hosted)
    expect(Result.isSuccess(decoded) && decoded.success.file.variant).toBe("stale-read")
  })
})

describe("partition sides", () => {
  const three = [...nodes, { id: "n3", peer: "127.0.0.1:7103", client: "127.0.0.1:7003" }]
  it("cut each side off from the other", () => {
    expect(Result.getOrThrow(parsePartition("n1/n2,n3", three))).toEqual({ n1: ["n2", "n3"], n2: ["n1"], n3: ["n1"] })
    expect(Result.getOrThrow(parsePartition("n1/n2", three))).toEqual({ n1: ["n2"], n2: ["n1"] })
  })

  it("are refused when malformed", () => {
    const message = (text: string) => {
      const parsed = parsePartition(text, three)
      return Result.isFailure(parsed) ? parsed.failure.message : "parsed"
    }
    expect(message("n1")).toMatch(/expected two sides/)
    expect(message("n1/")).toMatch(/expected two sides/)
    expect(message("n1/n4")).toMatch(/no node n4/)
    expect(message("n1,n2/n2")).toMatch(/n2 on both sides/)
  })
})
