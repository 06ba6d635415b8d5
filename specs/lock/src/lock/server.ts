/**
 * The lock server: named locks, each holding the current lease or nothing.
 * Its clock is logical: a `tick` timer advances it, and a lease whose time
 * is up is deleted on that tick, as Redis expires a key with a PX ttl. The
 * server knows nothing of the clients' clocks or pauses.
 *
 * Each command is a pure function of the state (`runCommand`), so the
 * model's clients (messages from nodes) and a hosted server's HTTP clients
 * (requests) go through the same code. Tokens come from one counter for
 * every name, so a token is never given twice, whatever the lock.
 */
import { setTimer, step } from "@parley/core"
import type { Step } from "@parley/core"
import type { LeaseMessage, LeaseTimer, Token } from "./messages.ts"

export interface Lease {
  readonly name: string
  /** Who asked for it: a model client's node id, or the owner a hosted client names. */
  readonly holder: string
  readonly token: Token
  readonly expiresAt: number
  /** Ticks a grant or a renewal lasts. */
  readonly ttl: number
}

export interface ServerState {
  readonly role: "server"
  readonly now: number
  /** The held locks, by name; a free lock has none. */
  readonly leases: ReadonlyArray<Lease>
  /** Leases granted so far: the next token is one more. */
  readonly grants: number
}

/** What a client asks of the lock server, whoever the client is. */
export type LockCommand =
  /** `SET name <owner> NX PX ttl`; the lease's own holder asking again is given its lease back (a retry). */
  | { readonly _tag: "Acquire"; readonly name: string; readonly owner: string; readonly ttl: number }
  /** Atomic compare-and-extend: restarts the lease's ttl only if the lock still holds `token`. */
  | { readonly _tag: "Renew"; readonly name: string; readonly token: Token }
  /** Atomic compare-and-delete: deletes the lock only if it still holds `token`. */
  | { readonly _tag: "Release"; readonly name: string; readonly token: Token }
  | { readonly _tag: "Get"; readonly name: string }
  /** `DEL name`, whoever holds it. */
  | { readonly _tag: "Del"; readonly name: string }

export type CommandResult =
  | { readonly _tag: "Granted"; readonly lease: Lease }
  | { readonly _tag: "Busy"; readonly lease: Lease }
  /** `lease` is what the lock holds now (after a renewal, the renewed lease), or null when it is free. */
  | { readonly _tag: "Renewed"; readonly ok: boolean; readonly lease: Lease | null }
  | { readonly _tag: "Released"; readonly ok: boolean; readonly lease: Lease | null }
  | { readonly _tag: "Value"; readonly lease: Lease | null }
  | { readonly _tag: "Deleted"; readonly lease: Lease | null }

type ServerStep = Step<ServerState, LeaseMessage, LeaseTimer, never>

export const serverInit = (): ServerStep => step({ role: "server", now: 0, leases: [], grants: 0 }, [setTimer("tick")])

export const leaseOf = (s: ServerState, name: string): Lease | null => s.leases.find((lease) => lease.name === name) ?? null

export const serverOnTimer = (s: ServerState): ServerStep => {
  const now = s.now + 1
  const leases = s.leases.some((lease) => lease.expiresAt <= now) ? s.leases.filter((lease) => lease.expiresAt > now) : s.leases
  return step({ ...s, now, leases }, [setTimer("tick")])
}

const without = (s: ServerState, name: string): ServerState => ({ ...s, leases: s.leases.filter((lease) => lease.name !== name) })

/** The leases with `lease` in its name's place, kept in name order so that equal states are equal data. */
const withLease = (s: ServerState, lease: Lease): ServerState => ({
  ...s,
  leases: [...s.leases.filter((other) => other.name !== lease.name), lease].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
})

export const runCommand = (s: ServerState, command: LockCommand): { readonly state: ServerState; readonly result: CommandResult } => {
  const held = leaseOf(s, command.name)
  switch (command._tag) {
    case "Acquire": {
      if (held !== null) return { state: s, result: held.holder === command.owner ? { _tag: "Granted", lease: held } : { _tag: "Busy", lease: held } }
      const lease: Lease = { name: command.name, holder: command.owner, token: s.grants + 1, expiresAt: s.now + command.ttl, ttl: command.ttl }
      return { state: withLease({ ...s, grants: lease.token }, lease), result: { _tag: "Granted", lease } }
    }
    case "Renew": {
      if (held === null || held.token !== command.token) return { state: s, result: { _tag: "Renewed", ok: false, lease: held } }
      const renewed = { ...held, expiresAt: s.now + held.ttl }
      return { state: withLease(s, renewed), result: { _tag: "Renewed", ok: true, lease: renewed } }
    }
    case "Release":
      return held !== null && held.token === command.token
        ? { state: without(s, command.name), result: { _tag: "Released", ok: true, lease: null } }
        : { state: s, result: { _tag: "Released", ok: false, lease: held } }
    case "Get":
      return { state: s, result: { _tag: "Value", lease: held } }
    case "Del":
      return { state: held === null ? s : without(s, command.name), result: { _tag: "Deleted", lease: held } }
  }
}
