/** The one actor every node of a lease-lock system runs, dispatching on its role: the lock server, the resource, or a client. */
import { step } from "@parley/core"
import type { Actor } from "@parley/core"
import { lockActor } from "../cluster.ts"
import { clientInit, clientOnMessage, clientOnTimer } from "./client.ts"
import type { ClientState } from "./client.ts"
import { LockServer, Resource } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import type { LeaseDurable, LeaseMessage, LeaseTimer } from "./messages.ts"
import { resourceInit, resourceOnMessage } from "./resource.ts"
import type { ResourceState } from "./resource.ts"
import { serverInit, serverOnMessage, serverOnTimer } from "./server.ts"
import type { ServerState } from "./server.ts"

export type LeaseNodeState = ServerState | ResourceState | ClientState

export type LeaseActor = Actor<LeaseNodeState, LeaseMessage, LeaseTimer, never, never, LeaseDurable>

export const leaseActor = (config: LeaseConfig): LeaseActor =>
  lockActor<LeaseNodeState, LeaseMessage, LeaseTimer>({
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
    }
  })
