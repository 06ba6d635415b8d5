/**
 * The model's side of the lock server and the resource: a client node's
 * message becomes a command on the one lock (`modelLock`), and the result
 * a reply as small as the recipe's (a token, ok or not), so the checker
 * sees no more than the recipe tells a client.
 */
import { send, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import { modelLock } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import type { LeaseMessage, LeaseTimer } from "./messages.ts"
import { runWrite } from "./resource.ts"
import type { ResourceState } from "./resource.ts"
import { runCommand } from "./server.ts"
import type { CommandResult, LockCommand, ServerState } from "./server.ts"

type ServerStep = Step<ServerState, LeaseMessage, LeaseTimer, never>

const commandOf = (config: LeaseConfig, from: NodeId, m: LeaseMessage): LockCommand | undefined => {
  switch (m._tag) {
    case "Acquire":
      return { _tag: "Acquire", name: modelLock, owner: from, ttl: config.ttl }
    case "Get":
    case "Del":
      return { _tag: m._tag, name: modelLock }
    case "Release":
    case "Renew":
      return { _tag: m._tag, name: modelLock, token: m.token }
    default:
      return undefined
  }
}

const replyOf = (result: CommandResult): LeaseMessage => {
  switch (result._tag) {
    case "Granted":
      return { _tag: "Granted", token: result.lease.token }
    case "Busy":
      return { _tag: "Busy" }
    case "Value":
      return { _tag: "Value", token: result.lease?.token ?? null }
    case "Deleted":
      return { _tag: "Deleted", existed: result.lease !== null }
    case "Released":
    case "Renewed":
      return { _tag: result._tag, ok: result.ok }
  }
}

export const serverOnMessage = (config: LeaseConfig, s: ServerState, from: NodeId, m: LeaseMessage): ServerStep => {
  const command = commandOf(config, from, m)
  if (command === undefined) return step(s)
  const { state, result } = runCommand(s, command)
  return step(state, [send(from, replyOf(result))])
}

export const resourceOnMessage = (config: LeaseConfig, s: ResourceState, from: NodeId, m: LeaseMessage): Step<ResourceState, LeaseMessage, never, never> => {
  if (m._tag !== "Write") return step(s)
  // A model client's data is its own name: which client's write landed last is what the properties read.
  const { state, accepted } = runWrite(s, { name: modelLock, writer: from, token: m.token, value: from }, config.bugs.resourceIgnoresTokens)
  return step(state, [send(from, { _tag: "WriteResult", ok: accepted })])
}
