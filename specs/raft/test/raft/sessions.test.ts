/**
 * Client sessions end by the log's time (thesis §6.3): requests stamped
 * with a leader's clock carry it into the log, and every replica, applying
 * the same entries, drops the same idle sessions. A load that names a new
 * client for every operation keeps a bounded number of sessions.
 */
import { bucketCount, bucketGet, bucketsFlat } from "@parley/kv"
import { describe, expect, it } from "vitest"
import { defaultSessionExpiryMs, sessionSweepEvery } from "../../src/raft/state-machine.ts"
import type { Interpreter } from "./harness/commands.ts"
import { stateOf, withLeader } from "./harness/leader.ts"

/** Until every node applied what the leader committed: the leader tells its commit index with its next AppendEntries. */
const settle = (interpreter: Interpreter): void => {
  for (const line of ["stabilize", "heartbeat n1", "stabilize"]) interpreter.run(line)
}

/** `count` clients, each with one Put stamped `stepMs` after the last, from time `start`. */
const load = (interpreter: Interpreter, count: number, start: number, stepMs: number, name = (i: number) => `c${i}`) => {
  for (let i = 0; i < count; i++) {
    interpreter.cluster.request(name(i), "n1", { seq: 1, op: { _tag: "Put", key: `k${i % 7}`, value: `${i}` }, at: start + i * stepMs })
    interpreter.run("stabilize")
  }
}

describe("client sessions", () => {
  it("end once idle past the bound by the log's time, the same on every replica", () => {
    const interpreter = withLeader()
    const stepMs = 10_000
    const clients = 1200
    const most: Record<string, number> = { n1: 0, n2: 0, n3: 0 }
    for (let i = 0; i < clients; i += 100) {
      load(interpreter, 100, i * stepMs, stepMs, (j) => `c${i + j}`)
      for (const node of ["n1", "n2", "n3"]) most[node] = Math.max(most[node]!, bucketCount(stateOf(interpreter, node).sessions))
    }
    settle(interpreter)
    // Sessions live the bound (60 clients' worth here) and at most one sweep interval more.
    const bound = defaultSessionExpiryMs / stepMs + sessionSweepEvery
    for (const node of ["n1", "n2", "n3"]) expect(most[node]).toBeLessThanOrEqual(bound)
    const [leader, ...followers] = ["n1", "n2", "n3"].map((node) => bucketsFlat(stateOf(interpreter, node).sessions))
    for (const follower of followers) expect(follower).toEqual(leader)
    // The latest clients keep their sessions; the first ones' ended.
    const last = stateOf(interpreter, "n2").sessions
    expect(bucketGet(last, `c${clients - 1}`)).toMatchObject({ seq: 1, at: (clients - 1) * stepMs })
    expect(bucketGet(last, "c0")).toBeUndefined()
  })

  it("keep a retry inside the bound to one effect, and let one after its session ended take effect again", () => {
    const interpreter = withLeader()
    const put = (value: string, at: number) =>
      interpreter.cluster.request("slow", "n1", { seq: 1, op: { _tag: "Cas", key: "x", expected: null, value }, at })
    put("first", 0)
    interpreter.run("stabilize")
    put("retry", defaultSessionExpiryMs - 1)
    interpreter.run("stabilize")
    expect(bucketsFlat(stateOf(interpreter, "n1").store)).toEqual({ x: "first" })
    // Past the bound, with enough other entries that a sweep passed: the session ended, and a command from it is new.
    load(interpreter, sessionSweepEvery, defaultSessionExpiryMs + 1, 1)
    expect(bucketGet(stateOf(interpreter, "n3").sessions, "slow")).toBeUndefined()
    interpreter.run("request deleter n1 delete x")
    interpreter.run("stabilize")
    put("late", 2 * defaultSessionExpiryMs)
    interpreter.run("stabilize")
    expect(bucketsFlat(stateOf(interpreter, "n1").store)).toMatchObject({ x: "late" })
  })

  it("never end where requests carry no time, as in the model", () => {
    const interpreter = withLeader()
    for (let i = 0; i < sessionSweepEvery + 10; i++) interpreter.run(`request c${i} n1 put k ${i}`)
    settle(interpreter)
    expect(bucketCount(stateOf(interpreter, "n2").sessions)).toBe(sessionSweepEvery + 10)
  })
})
