/** One line per message, Redis-flavoured, and a compact view of each node for traces. */
import { withoutRole } from "../cluster.ts"
import { modelLock } from "./config.ts"
import type { LeaseMessage, LeaseTimer } from "./messages.ts"
import type { LeaseNodeState } from "./node.ts"

export const formatLeaseMessage = (m: LeaseMessage): string => {
  switch (m._tag) {
    case "Acquire":
      return "SET lock NX PX"
    case "Get":
      return "GET lock"
    case "Del":
      return "DEL lock"
    case "Release":
      return `RELEASE lock if token ${m.token}`
    case "Renew":
      return `RENEW lock if token ${m.token}`
    case "Granted":
      return `OK token ${m.token}`
    case "Busy":
      return "nil (held)"
    case "Value":
      return m.token === null ? "nil" : `token ${m.token}`
    case "Deleted":
      return `deleted ${m.existed ? 1 : 0}`
    case "Released":
      return m.ok ? "released" : "not released (not yours)"
    case "Renewed":
      return m.ok ? "renewed" : "not renewed (not yours)"
    case "Write":
      return `Write token ${m.token}`
    case "WriteResult":
      return m.ok ? "write accepted" : "write rejected (stale token)"
  }
}

export const formatLeaseTimer = (timer: LeaseTimer): string => timer

export const leaseView = (s: LeaseNodeState): unknown => {
  switch (s.role) {
    case "server":
      // The model's one lock shows even when free, as a lane's field that goes from null to a lease and back.
      return { now: s.now, [modelLock]: null, ...Object.fromEntries(s.leases.map((l) => [l.name, `${l.holder} token ${l.token} until ${l.expiresAt}`])) }
    case "resource":
      return Object.fromEntries(s.entries.map((e) => [e.name, { writes: e.writes.map((w) => `${w.writer}:${w.token}`), newest: e.newest, rejected: e.rejected }]))
    case "client":
      return withoutRole(s)
  }
}
