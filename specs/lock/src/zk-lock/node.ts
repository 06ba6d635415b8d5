/**
 * The one actor every node of the zk-lock system runs: the ZooKeeper
 * server, or a client. Checked, the clients are nodes; hosted, there are
 * none, and HTTP clients' calls reach the server as requests.
 */
import { setTimer, step } from "@parley/core"
import type { Actor, NodeId } from "@parley/core"
import { lockActor } from "../cluster.ts"
import { ZkServer, zkClientInit, zkClientOnMessage, zkClientOnTimer } from "./client.ts"
import type { ZkBugs, ZkClientState } from "./client.ts"
import { zkServerOnRequest } from "./hosted-requests.ts"
import type { ZkDurable, ZkMessage, ZkTimer } from "./messages.ts"
import { zkServerOnMessage } from "./model-messages.ts"
import type { ZkRequest, ZkResponse } from "./requests.ts"
import { expireSession, zkServerInit } from "./server.ts"
import type { ZkServerState } from "./server.ts"

export type ZkNodeState = ZkServerState | ZkClientState

export type ZkActor = Actor<ZkNodeState, ZkMessage, ZkTimer, ZkRequest, ZkResponse, ZkDurable>

export interface ZkConfig {
  readonly bugs: ZkBugs
  readonly clients: ReadonlyArray<NodeId>
  /** A hosted session's timeout, as its leases report it (the host's `expire` timer keeps it); a model never reads it. */
  readonly sessionTimeoutMs: number
}

/**
 * A restarted server keeps its nodes and sessions and arms each live
 * session's expiry afresh, as a new ZooKeeper leader does: a session it
 * has not heard from expires one timeout after the restart.
 */
const recoverServer = (d: Exclude<ZkDurable, null>) => {
  const live = d.sessions.filter((session) => !d.expired.includes(session))
  return step<ZkServerState, ZkMessage, ZkTimer>(
    { ...zkServerInit, ...d },
    live.map((session) => setTimer<ZkTimer>({ _tag: "Expire", session }))
  )
}

/** A client's failure is its session's expiry (a timer of the server), not a crash. */
export const zkActor = (config: ZkConfig): ZkActor =>
  lockActor<ZkNodeState, ZkMessage, ZkTimer, ZkRequest, ZkResponse, ZkDurable>({
    spec: "zk-lock",
    services: { [ZkServer]: () => step(zkServerInit) },
    clients: config.clients,
    clientInit: zkClientInit,
    onMessage: (s, from, m) => (s.role === "server" ? zkServerOnMessage(s, from, m) : zkClientOnMessage(config.bugs, s, m)),
    onTimer: (s, timer) => {
      if (s.role === "client") return zkClientOnTimer(s, timer)
      // A model client is told of its expiry; a hosted owner learns it from its next call.
      return timer === "release" ? step(s) : expireSession(s, timer.session, config.clients.includes(timer.session))
    },
    onRequest: (s, client, request) => (s.role === "server" ? zkServerOnRequest(config.sessionTimeoutMs, s, client, request) : step(s)),
    durable: (s) => (s.role === "server" ? { lastSeq: s.lastSeq, children: s.children, sessions: s.sessions, expired: s.expired } : null),
    recover: (ctx, d, init) => (d === null ? init(ctx) : recoverServer(d))
  })
