/**
 * The protected resource (a storage service): it records every write it
 * accepts. Fenced, it remembers the newest token it has accepted and
 * rejects a write with an older one, so a client whose lease ran out while
 * it was paused cannot overwrite the work of the client that holds the lock
 * now.
 */
import { send, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { LeaseConfig } from "./config.ts"
import type { LeaseMessage, Token } from "./messages.ts"

export interface AcceptedWrite {
  readonly writer: NodeId
  readonly token: Token
}

export interface ResourceState {
  readonly role: "resource"
  /** Accepted writes, in the order they were accepted. */
  readonly writes: ReadonlyArray<AcceptedWrite>
  readonly newest: Token | 0
  readonly rejected: number
}

export const resourceInit = (): ResourceState => ({ role: "resource", writes: [], newest: 0, rejected: 0 })

export const resourceOnMessage = (config: LeaseConfig, s: ResourceState, from: NodeId, m: LeaseMessage): Step<ResourceState, LeaseMessage, never, never> => {
  if (m._tag !== "Write") return step(s)
  if (!config.bugs.resourceIgnoresTokens && m.token < s.newest) {
    return step({ ...s, rejected: s.rejected + 1 }, [send(from, { _tag: "WriteResult", ok: false })])
  }
  return step(
    { ...s, writes: [...s.writes, { writer: from, token: m.token }], newest: Math.max(s.newest, m.token) },
    [send(from, { _tag: "WriteResult", ok: true })]
  )
}
