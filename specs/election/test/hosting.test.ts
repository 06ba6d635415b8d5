/**
 * What the clusters turn on beyond the model's defaults, step by step on
 * the reducers (the checked configurations are in each spec's check test),
 * and when a cluster counts as ready.
 */
import { describe, expect, it } from "vitest"
import { agreedElection, bully, bullyHosted, ring, zk } from "../src/index.ts"

const ids = ["n1", "n2", "n3"]
const ctx = (self: string) => ({ self, nodes: ids })

describe("bully with heartbeats", () => {
  const node = bully.bullyNode(bully.bullyAsPublished, ids, { heartbeats: true })
  const following = { self: "n1", phase: "follower", leader: "n3", suspected: null } as const

  it("a Heartbeat from the leader re-arms the leader-timeout; one from a node below it, late from a node that stepped down, moves no one", () => {
    expect(node.onMessage(following, "n3", { _tag: "Heartbeat" }).out).toContainEqual({ _tag: "SetTimer", timer: "leader-timeout" })
    expect(node.onMessage(following, "n2", { _tag: "Heartbeat" })).toEqual({ state: following, out: [] })
  })

  it("a Heartbeat from above the leader a node follows makes it follow that one: how a node that missed the Coordinator learns", () => {
    expect(node.onMessage({ ...following, leader: "n2" }, "n3", { _tag: "Heartbeat" }).state).toMatchObject({ phase: "follower", leader: "n3" })
  })

  it("the leader sends Heartbeats to every lower node on its timer, and stops once it steps down", () => {
    const leading = node.init(ctx("n3")).state
    expect(node.onTimer(leading, "heartbeat").out).toEqual([
      { _tag: "Send", to: "n1", message: { _tag: "Heartbeat" } },
      { _tag: "Send", to: "n2", message: { _tag: "Heartbeat" } },
      { _tag: "SetTimer", timer: "heartbeat" }
    ])
    expect(node.onTimer({ ...leading, phase: "follower", leader: "n3" }, "heartbeat").out).toEqual([])
  })
})

describe("ring with probes", () => {
  const node = ring.ringNode(ring.ringAsPublished, ids, { probes: true })
  const started = node.init(ctx("n1")).state

  it("a probe Pings the successor and passes the last message on again", () => {
    expect(node.onTimer(started, "probe").out).toEqual([
      { _tag: "Send", to: "n2", message: { _tag: "Ping" } },
      { _tag: "Send", to: "n2", message: { _tag: "Election", epoch: 1, candidate: "n1" } },
      { _tag: "SetTimer", timer: "check-successor" },
      { _tag: "SetTimer", timer: "probe" }
    ])
  })

  it("check-successor skips a successor that answered before and not since, never one it has not heard from", () => {
    const probing = node.onTimer(started, "probe").state
    expect(node.onTimer(probing, "check-successor").state.skipped).toEqual([])
    const heard = node.onTimer(node.onMessage(probing, "n2", { _tag: "Pong" }).state, "probe").state
    expect(node.onTimer(heard, "check-successor").state.skipped).toEqual(["n2"])
  })

  it("a copy of an Elected the node already knows goes no further", () => {
    const knows = { ...started, participant: false, leader: "n3", epoch: 2 }
    expect(node.onMessage(knows, "n3", { _tag: "Elected", epoch: 2, leader: "n3" }).out).toEqual([])
  })
})

describe("zk with keep-alives", () => {
  const actor = zk.zkActor(zk.zkRecipe, ids, { keepAlive: true })
  const service = actor.init({ self: "zk", nodes: ["zk", ...ids] }).state
  const created = actor.onMessage(service, "n1", { _tag: "Create", session: 1 }).state

  it("a ping puts off the session's expiry, and a ping of an expired session is told so again", () => {
    expect(actor.onMessage(created, "n1", { _tag: "Ping", session: 1 }).out).toEqual([{ _tag: "SetTimer", timer: { _tag: "Expire", node: "n1" } }])
    const expired = actor.onTimer(created, { _tag: "Expire", node: "n1" }).state
    expect(actor.onMessage(expired, "n1", { _tag: "Ping", session: 1 }).out).toEqual([
      { _tag: "Send", to: "n1", message: { _tag: "SessionExpired", session: 1 } }
    ])
  })

  it("a Create said again is answered with the znode it made", () => {
    const again = actor.onMessage(created, "n1", { _tag: "Create", session: 1 })
    expect(again.state).toEqual(created)
    expect(again.out).toEqual([{ _tag: "Send", to: "n1", message: { _tag: "Created", session: 1, seq: 1 } }])
  })

  it("a restarted node opens a newer session, which ends its old one: the old znode goes and its watcher is woken", () => {
    const watched = actor.onMessage(actor.onMessage(created, "n2", { _tag: "Create", session: 1 }).state, "n2", { _tag: "Exists", session: 1, seq: 1 }).state
    const restarted = actor.recover(ctx("n1"), { role: "node", session: 1 })
    expect(restarted.out[0]).toEqual({ _tag: "Send", to: "zk", message: { _tag: "Create", session: 2 } })
    const reopened = actor.onMessage(watched, "n1", { _tag: "Create", session: 2 })
    expect(reopened.out).toContainEqual({ _tag: "Send", to: "n2", message: { _tag: "NodeDeleted", session: 1, seq: 1 } })
    expect(reopened.state).toMatchObject({ children: [{ seq: 2, owner: "n2" }, { seq: 3, owner: "n1" }] })
  })
})

describe("when an election cluster is ready", () => {
  const status = (leader: string | null, epoch: number | null, role: "node" | "service" = "node") => ({ role, phase: "", leader, epoch })
  const ready = agreedElection(true)

  it("once every node answers and names the one node that names itself, in its epoch", () => {
    expect(ready([{ id: "n1", status: status("n2", 3) }, { id: "n2", status: status("n2", 3) }])).toEqual({ _tag: "Ready", summary: "leader n2 in epoch 3" })
    expect(ready([{ id: "n1", status: status("n2", 2) }, { id: "n2", status: status("n2", 3) }])).toMatchObject({ _tag: "Waiting", reason: "n1 do not follow n2" })
    expect(ready([{ id: "n1", status: undefined }, { id: "n2", status: status("n2", 3) }])).toMatchObject({ reason: "no answer from n1" })
    expect(ready([{ id: "n1", status: status("n1", null) }, { id: "n2", status: status("n2", null) }])).toMatchObject({ reason: "n1 and n2 each lead" })
  })

  it("a zk follower names no leader, and the service names the owner of the lowest znode", () => {
    const zkReady = agreedElection(false)
    const nodes = [{ id: "zk", status: status("n1", 1, "service") }, { id: "n1", status: status("n1", 1) }, { id: "n2", status: status(null, null) }]
    expect(zkReady(nodes)).toEqual({ _tag: "Ready", summary: "leader n1 in epoch 1" })
    expect(ready(nodes)).toMatchObject({ _tag: "Waiting" })
  })
})

describe("GET /v1/leader", () => {
  it("answers the view's fields, not the rest of the status (Bully's suspected): what the route declares", () => {
    const actor = bullyHosted.actor(ids, { heartbeats: true })
    const asked = actor.onRequest(actor.init(ctx("n1")).state, "c1", { _tag: "WhoLeads", seq: 1 }).out
    expect(asked).toEqual([{ _tag: "Reply", client: "c1", response: { _tag: "Leader", seq: 1, view: { node: "n1", role: "node", phase: expect.any(String), leader: null, epoch: null } } }])
  })
})
