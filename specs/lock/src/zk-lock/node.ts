/**
 * The one actor every node of the zk-lock system runs: the ZooKeeper
 * server, or a client. Checked, the clients are nodes; hosted, there are
 * none, and HTTP clients' calls reach the server as requests, and a
 * protected resource (`lock`'s) sits beside it.
 */
import { reply, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Step } from "@parley/core"
import { lockActor } from "../cluster.ts"
import { Resource } from "../lock/config.ts"
import { resourceInit } from "../lock/resource.ts"
import type { ResourceState } from "../lock/resource.ts"
import { resourceCall } from "../resource-requests.ts"
import { ZkServer, zkClientInit, zkClientOnMessage, zkClientOnTimer } from "./client.ts"
import type { ZkBugs, ZkClientState } from "./client.ts"
import { zkServerOnRequest } from "./hosted-requests.ts"
import type { ZkDurable, ZkMessage, ZkTimer } from "./messages.ts"
import { zkServerOnMessage } from "./model-messages.ts"
import type { ZkRequest, ZkResponse } from "./requests.ts"
import { expireSession, zkServerInit } from "./server.ts"
import type { ZkServerState } from "./server.ts"

export type ZkNodeState = ZkServerState | ZkClientState | ResourceState

export type ZkActor = Actor<ZkNodeState, ZkMessage, ZkTimer, ZkRequest, ZkResponse, ZkDurable>

export interface ZkConfig {
  readonly bugs: ZkBugs
  readonly clients: ReadonlyArray<NodeId>
  /** A hosted session's timeout, as its leases report it (the host's `expire` timer keeps it); a model never reads it. */
  readonly sessionTimeoutMs: number
  /** Whether a node `resource` hosts the protected resource: hosted, yes; the model has none. */
  readonly resource: boolean
}

type ZkStep = Step<ZkNodeState, ZkMessage, ZkTimer, ZkResponse>

/**
 * A restarted server keeps its nodes and sessions and arms each live
 * session's expiry afresh, as a new ZooKeeper leader does: a session it
 * has not heard from expires one timeout after the restart.
 */
const recover = (d: Exclude<ZkDurable, null>): ZkStep => {
  if (d.role === "resource") return step({ role: "resource", entries: d.entries })
  const live = d.sessions.filter((session) => !d.expired.includes(session))
  return step({ ...zkServerInit, ...d, role: "server" }, live.map((session) => setTimer<ZkTimer>({ _tag: "Expire", session })))
}

const durable = (s: ZkNodeState): ZkDurable => {
  switch (s.role) {
    case "server":
      return { role: "server", lastSeq: s.lastSeq, children: s.children, sessions: s.sessions, expired: s.expired }
    case "resource":
      return { role: "resource", entries: s.entries }
    case "client":
      return null
  }
}

/** A client's failure is its session's expiry (a timer of the server), not a crash. */
export const zkActor = (config: ZkConfig): ZkActor =>
  lockActor<ZkNodeState, ZkMessage, ZkTimer, ZkRequest, ZkResponse, ZkDurable>({
    spec: "zk-lock",
    services: { [ZkServer]: () => step(zkServerInit), ...(config.resource ? { [Resource]: () => step(resourceInit()) } : {}) },
    clients: config.clients,
    clientInit: zkClientInit,
    onMessage: (s, from, m) => {
      switch (s.role) {
        case "server":
          return zkServerOnMessage(s, from, m)
        case "client":
          return zkClientOnMessage(config.bugs, s, m)
        case "resource":
          return step(s)
      }
    },
    onTimer: (s, timer): ZkStep => {
      switch (s.role) {
        case "client":
          return zkClientOnTimer(s, timer)
        case "resource":
          return step(s)
        case "server":
          // A model client is told of its expiry; a hosted owner learns it from its next call.
          return timer === "release" ? step(s) : expireSession(s, timer.session, config.clients.includes(timer.session))
      }
    },
    onRequest: (s, client, request): ZkStep => {
      switch (s.role) {
        case "server":
          return zkServerOnRequest(config.sessionTimeoutMs, s, client, request)
        case "resource":
          return request._tag === "Write" || request._tag === "Read"
            ? resourceCall(false, s, client, request)
            : step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: ZkServer })])
        case "client":
          return step(s)
      }
    },
    durable,
    recover: (ctx, d, init) => (d === null ? init(ctx) : recover(d))
  })
