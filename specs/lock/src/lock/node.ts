/**
 * The one actor every node of a lease-lock system runs, dispatching on its
 * role: the lock server, the resource, or a client. Checked, the clients
 * are nodes that send messages; hosted, there are none, and HTTP clients'
 * requests reach the server and the resource through the same commands.
 */
import { setTimer, step } from "@parley/core"
import type { Actor } from "@parley/core"
import { lockActor } from "../cluster.ts"
import { clientInit, clientOnMessage, clientOnTimer } from "./client.ts"
import type { ClientState } from "./client.ts"
import { LockServer, Resource } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import { resourceOnRequest, serverOnRequest } from "./hosted-requests.ts"
import type { LeaseDurable, LeaseMessage, LeaseTimer } from "./messages.ts"
import { resourceOnMessage, serverOnMessage } from "./model-messages.ts"
import type { LockRequest, LockResponse } from "./requests.ts"
import { resourceInit } from "./resource.ts"
import type { ResourceState } from "./resource.ts"
import { serverInit, serverOnTimer } from "./server.ts"
import type { ServerState } from "./server.ts"

export type LeaseNodeState = ServerState | ResourceState | ClientState

export type LeaseActor = Actor<LeaseNodeState, LeaseMessage, LeaseTimer, LockRequest, LockResponse, LeaseDurable>

const durableOf = (s: LeaseNodeState): LeaseDurable => {
  switch (s.role) {
    case "server":
      // Not the clock: a tick changes nothing durable, so it costs no write.
      return { role: "server", grants: s.grants, leases: s.leases }
    case "resource":
      return { role: "resource", entries: s.entries }
    case "client":
      return null
  }
}

/**
 * A restarted server counts each held lease's full ttl again from its
 * restart (etcd does the same with its leases on a new leader): the time it
 * was down is not known, so a lease outlives its ttl rather than end early.
 */
const recoverServer = (d: Extract<LeaseDurable, { readonly role: "server" }>) =>
  step<ServerState, LeaseMessage, LeaseTimer>(
    { role: "server", now: 0, grants: d.grants, leases: d.leases.map((lease) => ({ ...lease, expiresAt: lease.ttl })) },
    [setTimer("tick")]
  )

export const leaseActor = (config: LeaseConfig): LeaseActor =>
  lockActor<LeaseNodeState, LeaseMessage, LeaseTimer, LockRequest, LockResponse, LeaseDurable>({
    spec: "lock",
    services: { [LockServer]: serverInit, [Resource]: () => step(resourceInit()) },
    clients: config.clients,
    clientInit,
    onMessage: (s, from, m) => {
      switch (s.role) {
        case "server":
          return serverOnMessage(config, s, from, m)
        case "resource":
          return resourceOnMessage(config, s, from, m)
        case "client":
          return clientOnMessage(config, s, m)
      }
    },
    onTimer: (s, timer) => {
      switch (s.role) {
        case "server":
          return serverOnTimer(s)
        case "resource":
          return step(s)
        case "client":
          return clientOnTimer(s, timer)
      }
    },
    onRequest: (s, client, request) => {
      switch (s.role) {
        case "server":
          return serverOnRequest(config, s, client, request)
        case "resource":
          return resourceOnRequest(config, s, client, request)
        case "client":
          return step(s)
      }
    },
    durable: durableOf,
    recover: (ctx, d, init) => {
      if (d === null) return init(ctx)
      return d.role === "server" ? recoverServer(d) : step({ role: "resource", entries: d.entries })
    }
  })
