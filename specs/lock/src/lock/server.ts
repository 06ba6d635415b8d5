/**
 * The lock server: one key, `lock`, holding the current lease or nothing.
 * Its clock is logical: a `tick` timer advances it, and a lease whose time
 * is up is deleted on that tick, as Redis expires a key with a PX ttl. The
 * server knows nothing of the clients' clocks or pauses.
 */
import { send, setTimer, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { LeaseConfig } from "./config.ts"
import type { LeaseMessage, LeaseTimer, Token } from "./messages.ts"

export interface Lease {
  readonly holder: NodeId
  readonly token: Token
  readonly expiresAt: number
}

export interface ServerState {
  readonly role: "server"
  readonly now: number
  readonly lock: Lease | null
  /** Leases granted so far: the next token is one more. */
  readonly grants: number
}

type ServerStep = Step<ServerState, LeaseMessage, LeaseTimer, never>

export const serverInit = (): ServerStep => step({ role: "server", now: 0, lock: null, grants: 0 }, [setTimer("tick")])

export const serverOnTimer = (s: ServerState): ServerStep => {
  const now = s.now + 1
  const lock = s.lock !== null && s.lock.expiresAt <= now ? null : s.lock
  return step({ ...s, now, lock }, [setTimer("tick")])
}

const holds = (s: ServerState, token: Token): boolean => s.lock !== null && s.lock.token === token

export const serverOnMessage = (config: LeaseConfig, s: ServerState, from: NodeId, m: LeaseMessage): ServerStep => {
  const answer = (state: ServerState, message: LeaseMessage): ServerStep => step(state, [send(from, message)])
  switch (m._tag) {
    case "Acquire": {
      if (s.lock !== null) return answer(s, { _tag: "Busy" })
      const token = s.grants + 1
      return answer({ ...s, grants: token, lock: { holder: from, token, expiresAt: s.now + config.ttl } }, { _tag: "Granted", token })
    }
    case "Get":
      return answer(s, { _tag: "Value", token: s.lock?.token ?? null })
    case "Del":
      return answer({ ...s, lock: null }, { _tag: "Deleted", existed: s.lock !== null })
    case "Release":
      return holds(s, m.token) ? answer({ ...s, lock: null }, { _tag: "Released", ok: true }) : answer(s, { _tag: "Released", ok: false })
    case "Renew":
      return holds(s, m.token) && s.lock !== null
        ? answer({ ...s, lock: { ...s.lock, expiresAt: s.now + config.ttl } }, { _tag: "Renewed", ok: true })
        : answer(s, { _tag: "Renewed", ok: false })
    default:
      return step(s)
  }
}
