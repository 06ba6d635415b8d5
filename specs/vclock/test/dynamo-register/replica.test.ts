import type { Output } from "@parley/core"
import { emptyBuckets } from "@parley/kv"
import { describe, expect, it } from "vitest"
import type { RegisterMessage, RegisterResponse, RegisterTimer, Sibling } from "../../src/dynamo-register/messages.ts"
import { replicaActor, siblingsOf } from "../../src/dynamo-register/replica.ts"
import type { ReplicaState } from "../../src/dynamo-register/replica.ts"
import { formatRegisterMessage, formatRegisterResponse, formatSibling } from "../../src/dynamo-register/format.ts"
import { dynamoRegister } from "../../src/dynamo-register/siblings.ts"

const ctx = { self: "n1", nodes: ["n1", "n2", "n3"] }
const actor = replicaActor(dynamoRegister)
const fresh = actor.init(ctx).state

/** One line per output, as etcd/raft's interaction tests print messages. */
const line = (o: Output<RegisterMessage, RegisterTimer, RegisterResponse>): string => {
  if (o._tag === "Send") return `n1->${o.to} ${formatRegisterMessage(o.message)}`
  if (o._tag === "Reply") return `n1->${o.client} ${formatRegisterResponse(o.response)}`
  return o._tag
}

const put = (s: ReplicaState, value: string, context: Record<string, number> = {}, key = "k") =>
  actor.onRequest(s, "c", { _tag: "Put", seq: 1, key, value, context })
const shown = (s: ReplicaState, key = "k") => siblingsOf(s, key).map(formatSibling)

const fromN2: Sibling = { value: "b", dot: { node: "n2", counter: 1 }, context: {} }
const holding = (siblings: ReadonlyArray<Sibling>): ReplicaState => actor.onMessage(fresh, "n2", { _tag: "Replicate", key: "k", siblings }).state

describe("a replica coordinating a write", () => {
  it("gives the write its next dot and the writer's context, stores it beside a concurrent sibling, answers and replicates", () => {
    const { state, out } = put(holding([fromN2]), "a")
    expect(shown(state)).toEqual(["a [n1:1]", "b [n2:1]"])
    expect(out.map(line)).toEqual([
      "n1->c PutOk k=a [n1:1]",
      "n1->n2 Replicate k {a [n1:1], b [n2:1]}",
      "n1->n3 Replicate k {a [n1:1], b [n2:1]}"
    ])
  })

  it("keeps two writes made through it from one context as siblings, where a clock of its own counter alone would drop the first", () => {
    const first = put(fresh, "a").state
    const second = put(first, "b")
    expect(shown(second.state)).toEqual(["a [n1:1]", "b [n1:2]"])
    expect(second.out.map(line)[0]).toBe("n1->c PutOk k=b [n1:2]")
  })

  it("resolves the siblings a write's context covered", () => {
    const both = put(holding([fromN2]), "a").state
    const { state, out } = put(both, "c", { n1: 1, n2: 1 })
    expect(shown(state)).toEqual(["c [n1:2 n2:1]"])
    expect(out.map(line)[0]).toBe("n1->c PutOk k=c [n1:2 n2:1]")
  })

  it("keeps each key's siblings, and its dots, apart", () => {
    const s = put(put(fresh, "a", {}, "x").state, "b", {}, "y").state
    expect([shown(s, "x"), shown(s, "y"), shown(s, "z")]).toEqual([["a [n1:1]"], ["b [n1:1]"], []])
  })

  it("ignore-context: the write's context is its coordinator's own counter alone, so it leaves the sibling it read in place", () => {
    const buggy = replicaActor({ ...dynamoRegister, ignoreContext: true })
    const both = buggy.onRequest(holding([fromN2]), "c", { _tag: "Put", seq: 1, key: "k", value: "a", context: {} }).state
    const { state } = buggy.onRequest(both, "c", { _tag: "Put", seq: 2, key: "k", value: "c", context: { n1: 1, n2: 1 } })
    expect(shown(state)).toEqual(["c [n1:2]", "b [n2:1]"])
  })
})

describe("a replica's other events", () => {
  it("merges a peer's siblings and sends nothing", () => {
    const { state, out } = actor.onMessage(put(fresh, "a").state, "n2", { _tag: "Replicate", key: "k", siblings: [fromN2] })
    expect(shown(state)).toEqual(["a [n1:1]", "b [n2:1]"])
    expect(out).toEqual([])
  })

  it("answers a read with the key's siblings and changes nothing", () => {
    const s = holding([fromN2])
    const { state, out } = actor.onRequest(s, "c", { _tag: "Get", seq: 3, key: "k" })
    expect(state).toEqual(s)
    expect(out.map(line)).toEqual(["n1->c GetOk k {b [n2:1]}"])
  })

  it("recovers its siblings from its durable store, so a write after a restart takes a dot it never gave", () => {
    const before = put(put(fresh, "a").state, "b").state
    const recovered = actor.recover(ctx, actor.durable(before)).state
    expect(recovered).toEqual(before)
    expect(put(recovered, "c").out.map(line)[0]).toBe("n1->c PutOk k=c [n1:3]")
    expect(actor.durable(fresh)).toEqual({ store: emptyBuckets, unacked: emptyBuckets })
  })
})

describe("a replica with sync on: replication resent until acknowledged", () => {
  const synced = replicaActor(dynamoRegister, { sync: true })
  const boot = synced.init(ctx)
  const written = synced.onRequest(boot.state, "c", { _tag: "Put", seq: 1, key: "k", value: "a", context: {} }).state

  it("sets the sync timer, and waits for every peer's acknowledgement of what it wrote", () => {
    expect(boot.out).toEqual([{ _tag: "SetTimer", timer: "sync" }])
    expect(synced.onTimer(written, "sync").out.map(line)).toEqual([
      "n1->n2 Replicate k {a [n1:1]}",
      "n1->n3 Replicate k {a [n1:1]}",
      "SetTimer"
    ])
  })

  it("stops sending to a peer once it acknowledged a context covering its siblings, and not before", () => {
    const stale = synced.onMessage(written, "n2", { _tag: "ReplicateAck", key: "k", context: {} }).state
    expect(stale.unacked).toEqual(written.unacked)
    const acked = synced.onMessage(written, "n2", { _tag: "ReplicateAck", key: "k", context: { n1: 1, n3: 4 } }).state
    expect(synced.onTimer(acked, "sync").out.map(line)).toEqual(["n1->n3 Replicate k {a [n1:1]}", "SetTimer"])
    const done = synced.onMessage(acked, "n3", { _tag: "ReplicateAck", key: "k", context: { n1: 1 } }).state
    expect(synced.onTimer(done, "sync").out.map(line)).toEqual(["SetTimer"])
    expect(done.unacked).toEqual(emptyBuckets)
  })

  it("acknowledges a peer's siblings with the context of what it then holds", () => {
    const { out } = synced.onMessage(written, "n2", { _tag: "Replicate", key: "k", siblings: [fromN2] })
    expect(out.map(line)).toEqual(["n1->n2 Ack k [n1:1 n2:1]"])
  })

  it("keeps what is unacknowledged across a restart, and sends it again", () => {
    const recovered = synced.recover(ctx, synced.durable(written))
    expect(recovered.out).toEqual([{ _tag: "SetTimer", timer: "sync" }])
    expect(synced.onTimer(recovered.state, "sync").out.map(line)).toHaveLength(3)
  })
})
