/** The one actor every node of the zk-lock system runs: the ZooKeeper server, or a client. */
import { step } from "@parley/core"
import type { Actor, NodeId } from "@parley/core"
import { ZkServer, zkClientInit, zkClientOnMessage, zkClientOnTimer } from "./client.ts"
import type { ZkBugs, ZkClientState } from "./client.ts"
import type { ZkDurable, ZkMessage, ZkTimer } from "./messages.ts"
import { zkServerInit, zkServerOnMessage, zkServerOnTimer } from "./server.ts"
import type { ZkServerState } from "./server.ts"

export type ZkNodeState = ZkServerState | ZkClientState

export type ZkActor = Actor<ZkNodeState, ZkMessage, ZkTimer, never, never, ZkDurable>

export const zkActor = (bugs: ZkBugs, clients: ReadonlyArray<NodeId>): ZkActor => {
  const init: ZkActor["init"] = (ctx) => {
    if (ctx.self === ZkServer) return step(zkServerInit)
    if (clients.includes(ctx.self)) return zkClientInit()
    throw new RangeError(`zk-lock node ${ctx.self} has no role: it is neither ${ZkServer} nor a client`)
  }
  return {
    init,
    onMessage: (s, from, m) => (s.role === "server" ? zkServerOnMessage(s, from, m) : zkClientOnMessage(bugs, s, m)),
    onTimer: (s, timer) => (s.role === "server" ? zkServerOnTimer(s, timer) : zkClientOnTimer(s, timer)),
    onRequest: (s) => step(s),
    durable: () => null,
    // Nothing survives: no node of this spec is made to crash; a client's failure is its session's expiry.
    recover: (ctx) => init(ctx)
  }
}
