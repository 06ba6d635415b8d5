/**
 * Exactly-once across HTTP requests: a client names its own session with
 * Parley-Client and Parley-Seq, so a retry is the same operation and gets
 * the first attempt's answer, even after a 503 that said the outcome was
 * unknown.
 */
import { kvPath } from "@parley/kv"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { callExactlyOnce } from "../src/api-client.ts"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { agreedLeader, call, eventually, partition, run, startCluster } from "./in-process-harness.ts"

const session = (client: string, seq: number) => ({ "parley-client": client, "parley-seq": String(seq) })

/**
 * Followers wait seconds before they campaign, and a leader checks its
 * quorum rarely: a leader cut off for half a second keeps leading, and
 * commits what it took once the partition heals.
 */
const patientTimers = {
  election: { minMs: 2000, maxMs: 3000 },
  heartbeat: { minMs: 30, maxMs: 30 },
  "check-quorum": { minMs: 20_000, maxMs: 20_000 }
}

describe("client sessions named in headers", () => {
  it("refuse a session that is half named or badly named, saying which header is wrong", () =>
    run(Effect.gen(function*() {
      const { nodes: [node] } = yield* startCluster(new MemoryNetwork().transport)
      const refused = (headers: Record<string, string>) => call(node!, "PUT", kvPath("k"), "v", headers)
      expect(yield* refused({ "parley-client": "me" })).toEqual({
        status: 400,
        body: { error: "Parley-Client and Parley-Seq come together: the request has Parley-Client alone" }
      })
      expect(yield* refused({ "parley-seq": "1" })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/has Parley-Seq alone/) } })
      for (const seq of ["0", "-1", "1.5", "1e3", "0x10", "x", "1234567890123456"]) {
        expect(yield* refused({ "parley-client": "me", "parley-seq": seq })).toEqual({
          status: 400,
          body: { error: `Parley-Seq must be a whole number from 1 to 999999999999999, got ${JSON.stringify(seq)}` }
        })
      }
      for (const client of ["has space", "sl/ash", "é", "x".repeat(129)]) {
        expect(yield* refused({ "parley-client": client, "parley-seq": "1" })).toMatchObject({
          status: 400,
          body: { error: expect.stringMatching(/^Parley-Client must be 1 to 128 of the characters/) }
        })
      }
    })), 60_000)

  it("make a retry the same operation: it takes effect once and answers as the first attempt did", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport)
      const leader = yield* agreedLeader(nodes)
      const [follower, other] = nodes.filter((node) => node.id !== leader.id)
      expect(yield* call(follower!, "PUT", kvPath("k"), "first", session("writer", 1))).toEqual({ status: 200, body: { key: "k" } })
      // The same session and number through another node: the same operation, so the second body is never written.
      expect(yield* call(other!, "PUT", kvPath("k"), "second", session("writer", 1))).toEqual({ status: 200, body: { key: "k" } })
      expect(yield* call(leader, "GET", kvPath("k"))).toEqual({ status: 200, body: { key: "k", value: "first" } })
      expect(yield* call(follower!, "PUT", kvPath("k"), "third", session("writer", 2))).toEqual({ status: 200, body: { key: "k" } })
      expect(yield* call(other!, "GET", kvPath("k"), undefined, session("reader", 1))).toEqual({ status: 200, body: { key: "k", value: "third" } })
    })), 60_000)

  it("a CAS retried after a 503 reports the first attempt's swap", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport, { timers: patientTimers })
      const leader = yield* agreedLeader(nodes)
      const followers = nodes.filter((node) => node.id !== leader.id)
      expect(yield* call(leader, "PUT", kvPath("k"), "old")).toMatchObject({ status: 200 })

      // Cut off, the leader appends the CAS but cannot commit it before the deadline.
      yield* partition(leader, followers.map((node) => node.id))
      const cas = JSON.stringify({ expected: "old", value: "new" })
      const timedOut = yield* call(leader, "POST", `${kvPath("k")}/cas?timeout=300`, cas, session("swapper", 1))
      expect(timedOut).toEqual({
        status: 503,
        body: {
          error: expect.stringMatching(/did not commit the operation within 300 ms; the outcome is unknown/),
          outcome: "unknown",
          retry: "send the same request again with the same Parley-Client and Parley-Seq: it takes effect at most once, " +
            "and the answer is the first attempt's"
        }
      })
      yield* partition(leader, [])
      yield* eventually("the first attempt's swap to commit", Effect.gen(function*() {
        const read = yield* call(followers[0]!, "GET", kvPath("k"))
        return read.body["value"] === "new" ? read : undefined
      }))

      // The retry is the same operation: it reports the swap the first attempt made, and swaps nothing again.
      expect(yield* call(followers[1]!, "POST", `${kvPath("k")}/cas`, cas, session("swapper", 1))).toEqual({
        status: 200,
        body: { key: "k", swapped: true, value: "new" }
      })
      // A request that names no session is a new operation: the same CAS again fails, as it should for a second one.
      expect(yield* call(followers[1]!, "POST", `${kvPath("k")}/cas`, cas)).toEqual({ status: 200, body: { key: "k", swapped: false, value: "new" } })
    })), 60_000)

  it("a 503 for a request that named no session says how to make a retry safe", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport, { timers: patientTimers })
      const leader = yield* agreedLeader(nodes)
      yield* partition(leader, nodes.filter((node) => node.id !== leader.id).map((node) => node.id))
      expect(yield* call(leader, "PUT", `${kvPath("k")}?timeout=200`, "v")).toMatchObject({
        status: 503,
        body: { outcome: "unknown", retry: expect.stringMatching(/named no session.*send Parley-Client \(a name of yours\) and Parley-Seq/) }
      })
    })), 60_000)

  it("callExactlyOnce, as parley kv sends, retries a CAS after 503s and reports the swap its first attempt made", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport, { timers: patientTimers })
      const leader = yield* agreedLeader(nodes)
      const followers = nodes.filter((node) => node.id !== leader.id)
      expect(yield* call(leader, "PUT", kvPath("k"), "old")).toMatchObject({ status: 200 })
      yield* partition(leader, followers.map((node) => node.id))
      // The partition heals while the client goes on retrying: the leader commits the first attempt's entry.
      yield* Effect.forkScoped(Effect.sleep(700).pipe(Effect.andThen(partition(leader, []))))
      const answer = yield* Effect.promise(() =>
        callExactlyOnce(nodes, "POST", `${kvPath("k")}/cas`, JSON.stringify({ expected: "old", value: "new" }), {
          session: { client: "retrying", seq: 1 },
          deadlineMs: 20_000,
          attemptMs: 250,
          first: leader.id
        })
      )
      expect(answer).toEqual({ node: expect.any(String), status: 200, body: { key: "k", swapped: true, value: "new" } })
      expect(yield* call(followers[0]!, "GET", kvPath("k"))).toEqual({ status: 200, body: { key: "k", value: "new" } })
    })), 60_000)
})
