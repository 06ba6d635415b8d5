/**
 * The hosted side of the lock server and the resource: an HTTP client's
 * request becomes the same command a model client's message does, and the
 * result an answer with the lease in milliseconds. A request for the other
 * node is answered `Elsewhere`, naming it.
 */
import { reply, step } from "@parley/core"
import type { ClientId, Output, Step } from "@parley/core"
import { LockServer, Resource } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import type { EntryView, LeaseView, LockCommandName, LockRequest, LockResponse } from "./requests.ts"
import { entryOf, runWrite } from "./resource.ts"
import type { ResourceState } from "./resource.ts"
import { runCommand } from "./server.ts"
import type { CommandResult, Lease, LockCommand, ServerState } from "./server.ts"

type Answer = Output<never, never, LockResponse>

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

const entryView = (s: ResourceState, name: string): EntryView => entryOf(s, name) ?? { name, newest: 0, value: "", writes: [], rejected: 0 }

export const resourceOnRequest = (config: LeaseConfig, s: ResourceState, client: ClientId, request: LockRequest): Step<ResourceState, never, never, LockResponse> => {
  const answer = (state: ResourceState, accepted: boolean | null, name: string): Answer =>
    reply(client, { _tag: "ResourceAnswer", seq: request.seq, accepted, entry: entryView(state, name) })
  switch (request._tag) {
    case "Write": {
      const write = { name: request.name, writer: request.writer === "" ? client : request.writer, token: request.token, value: request.value }
      const { state, accepted } = runWrite(s, write, config.bugs.resourceIgnoresTokens)
      return step(state, [answer(state, accepted, request.name)])
    }
    case "Read":
      return step(s, [answer(s, null, request.name)])
    default:
      return step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: LockServer })])
  }
}
