import type { Output } from "@parley/core"
import { describe, expect, it } from "vitest"
import type { RegisterMessage, RegisterResponse, Sibling } from "../../src/dynamo-register/messages.ts"
import { replicaActor, writeClock } from "../../src/dynamo-register/replica.ts"
import type { ReplicaState } from "../../src/dynamo-register/replica.ts"
import { formatRegisterMessage, formatRegisterResponse, formatSibling } from "../../src/dynamo-register/format.ts"
import { dynamoRegister } from "../../src/dynamo-register/siblings.ts"

const ctx = { self: "n1", nodes: ["n1", "n2", "n3"] }
const actor = replicaActor(dynamoRegister)
const holding = (siblings: ReadonlyArray<Sibling>): ReplicaState => ({ ...actor.init(ctx).state, siblings })

/** One line per output, as etcd/raft's interaction tests print messages. */
const line = (o: Output<RegisterMessage, never, RegisterResponse>): string => {
  if (o._tag === "Send") return `n1->${o.to} ${formatRegisterMessage(o.message)}`
  if (o._tag === "Reply") return `n1->${o.client} ${formatRegisterResponse(o.response)}`
  return o._tag
}

const c2first: Sibling = { value: "c2.1", clock: { c2: 1 } }

describe("a replica coordinating a write", () => {
  it("gives the write its context with the writer's counter one higher, stores it beside a concurrent sibling, answers and replicates", () => {
    const { state, out } = actor.onRequest(holding([c2first]), "c1", { _tag: "Put", value: "c1.1", context: {} })
    expect(state.siblings.map(formatSibling)).toEqual(["c1.1 [c1:1]", "c2.1 [c2:1]"])
    expect(out.map(line)).toEqual([
      "n1->c1 PutOk c1.1 [c1:1]",
      "n1->n2 Replicate {c1.1 [c1:1], c2.1 [c2:1]}",
      "n1->n3 Replicate {c1.1 [c1:1], c2.1 [c2:1]}"
    ])
  })

  it("resolves the siblings a write's context covered", () => {
    const local = [{ value: "c1.1", clock: { c1: 1 } }, c2first]
    const { state, out } = actor.onRequest(holding(local), "c1", { _tag: "Put", value: "c1.2", context: { c1: 1, c2: 1 } })
    expect(state.siblings.map(formatSibling)).toEqual(["c1.2 [c1:2 c2:1]"])
    expect(out.map(line)[0]).toBe("n1->c1 PutOk c1.2 [c1:2 c2:1]")
  })

  it("ignore-context: the clock is the writer's counter alone, so it leaves the sibling it read in place", () => {
    expect(writeClock({ ...dynamoRegister, ignoreContext: true }, "c1", { c1: 1, c2: 1 })).toEqual({ c1: 2 })
    const buggy = replicaActor({ ...dynamoRegister, ignoreContext: true })
    const local = [{ value: "c1.1", clock: { c1: 1 } }, c2first]
    const { state } = buggy.onRequest(holding(local), "c1", { _tag: "Put", value: "c1.2", context: { c1: 1, c2: 1 } })
    expect(state.siblings.map(formatSibling)).toEqual(["c1.2 [c1:2]", "c2.1 [c2:1]"])
  })
})

describe("a replica's other events", () => {
  it("merges a peer's siblings and sends nothing", () => {
    const { state, out } = actor.onMessage(holding([{ value: "c1.1", clock: { c1: 1 } }]), "n2", { _tag: "Replicate", siblings: [c2first] })
    expect(state.siblings.map(formatSibling)).toEqual(["c1.1 [c1:1]", "c2.1 [c2:1]"])
    expect(out).toEqual([])
  })

  it("answers a read with its siblings and changes nothing", () => {
    const s = holding([c2first])
    const { state, out } = actor.onRequest(s, "c1", { _tag: "Get" })
    expect(state).toEqual(s)
    expect(out.map(line)).toEqual(["n1->c1 GetOk {c2.1 [c2:1]}"])
  })
})
