/**
 * The hosted side of the lock server and the resource: an HTTP client's
 * request becomes the same command a model client's message does, and the
 * result an answer with the lease in milliseconds. A request for the other
 * node is answered `Elsewhere`, naming it.
 */
import { reply, step } from "@parley/core"
import type { ClientId, Step } from "@parley/core"
import { LockServer, Resource } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import type { LeaseView, LockCommandName, LockRequest, LockResponse } from "./requests.ts"
import { resourceCall } from "../resource-requests.ts"
import type { ResourceState } from "./resource.ts"
import { runCommand } from "./server.ts"
import type { CommandResult, Lease, LockCommand, ServerState } from "./server.ts"


/**
 * Ticks a lease of `ttlMs` lasts: rounded up, and one more, because the
 * first tick after a grant may come at once. A lease lasts at least its
 * ttl at the server; slow or late ticks only make it longer.
 */
export const ticksOf = (ttlMs: number, tickMs: number): number => Math.ceil(ttlMs / tickMs) + 1

export const viewOfLease = (s: ServerState, lease: Lease, tickMs: number): LeaseView => ({
  name: lease.name,
  holder: lease.holder,
  token: lease.token,
  ttlMs: (lease.ttl - 1) * tickMs,
  expiresInMs: Math.max(0, lease.expiresAt - s.now) * tickMs
})

const commandOf = (config: LeaseConfig, request: LockRequest): readonly [LockCommandName, LockCommand] | undefined => {
  switch (request._tag) {
    case "Acquire":
      return ["acquire", { _tag: "Acquire", name: request.name, owner: request.owner, ttl: ticksOf(request.ttlMs, config.tickMs) }]
    case "Renew":
      return ["renew", { _tag: "Renew", name: request.name, token: request.token }]
    case "Release":
      return ["release", { _tag: "Release", name: request.name, token: request.token }]
    case "Inspect":
      return ["inspect", { _tag: "Get", name: request.name }]
    case "Delete":
      return ["delete", { _tag: "Del", name: request.name }]
    default:
      return undefined
  }
}

const okOf = (result: CommandResult): boolean => {
  switch (result._tag) {
    case "Granted":
      return true
    case "Busy":
      return false
    case "Renewed":
    case "Released":
      return result.ok
    case "Value":
    case "Deleted":
      return result.lease !== null
  }
}

export const serverOnRequest = (config: LeaseConfig, s: ServerState, client: ClientId, request: LockRequest): Step<ServerState, never, never, LockResponse> => {
  const command = commandOf(config, request)
  if (command === undefined) return step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: Resource })])
  const [name, lockCommand] = command
  const { state, result } = runCommand(s, lockCommand)
  const lease = result.lease === null ? null : viewOfLease(state, result.lease, config.tickMs)
  return step(state, [reply(client, { _tag: "LockAnswer", seq: request.seq, command: name, name: lockCommand.name, ok: okOf(result), lease })])
}

export const resourceOnRequest = (config: LeaseConfig, s: ResourceState, client: ClientId, request: LockRequest): Step<ResourceState, never, never, LockResponse> =>
  request._tag === "Write" || request._tag === "Read"
    ? resourceCall(config.bugs.resourceIgnoresTokens, s, client, request)
    : step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: LockServer })])
