/** The one actor every node of the zk-lock system runs: the ZooKeeper server, or a client. */
import { step } from "@parley/core"
import type { Actor, NodeId } from "@parley/core"
import { lockActor, nothingDurable } from "../cluster.ts"
import { ZkServer, zkClientInit, zkClientOnMessage, zkClientOnTimer } from "./client.ts"
import type { ZkBugs, ZkClientState } from "./client.ts"
import type { ZkDurable, ZkMessage, ZkTimer } from "./messages.ts"
import { zkServerInit, zkServerOnMessage, zkServerOnTimer } from "./server.ts"
import type { ZkServerState } from "./server.ts"

export type ZkNodeState = ZkServerState | ZkClientState

export type ZkActor = Actor<ZkNodeState, ZkMessage, ZkTimer, never, never, ZkDurable>

/** A client's failure is its session's expiry (a timer of the server), not a crash. */
export const zkActor = (bugs: ZkBugs, clients: ReadonlyArray<NodeId>): ZkActor =>
  lockActor<ZkNodeState, ZkMessage, ZkTimer, never, never, ZkDurable>({
    spec: "zk-lock",
    services: { [ZkServer]: () => step(zkServerInit) },
    clients,
    clientInit: zkClientInit,
    onMessage: (s, from, m) => (s.role === "server" ? zkServerOnMessage(s, from, m) : zkClientOnMessage(bugs, s, m)),
    onTimer: (s, timer) => (s.role === "server" ? zkServerOnTimer(s, timer) : zkClientOnTimer(s, timer)),
    onRequest: (s) => step(s),
    ...nothingDurable
  })
