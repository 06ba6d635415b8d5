/**
 * A lock client: acquire, use the resource, release, once. Granted the lock,
 * it is paused until its `resume` timer fires (a GC pause or a page fault
 * the client cannot see), while the server's clock may run its lease out;
 * then it writes, believing it still holds the lock. A fenced client renews
 * its lease while it holds it and releases with an atomic compare-and-
 * delete; the naive one reads the key and deletes it in two steps.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { Output, Step } from "@parley/core"
import { LockServer, Resource } from "./config.ts"
import type { LeaseConfig } from "./config.ts"
import type { LeaseMessage, LeaseTimer, Token } from "./messages.ts"

export type ClientPhase = "acquiring" | "waiting" | "holding" | "writing" | "checking" | "deleting" | "releasing" | "done"

export interface ClientState {
  readonly role: "client"
  readonly phase: ClientPhase
  readonly token: Token | null
  /** Acquire requests sent: the search's boundary bounds them. */
  readonly attempts: number
  readonly renewed: boolean
}

type ClientStep = Step<ClientState, LeaseMessage, LeaseTimer, never>
type Out = Output<LeaseMessage, LeaseTimer, never>

/** Between the grant and the end of its write, a client acts as the lock's holder. */
export const believesHeld = (s: ClientState): boolean => s.phase === "holding" || s.phase === "writing"

export const clientInit = (): ClientStep =>
  step({ role: "client", phase: "acquiring", token: null, attempts: 1, renewed: false }, [send(LockServer, { _tag: "Acquire" })])

const release = (config: LeaseConfig, s: ClientState, token: Token): ClientStep => {
  const stopRenewing: Out = cancelTimer("renew")
  return config.bugs.twoStepRelease
    ? step({ ...s, phase: "checking" }, [stopRenewing, send(LockServer, { _tag: "Get" })])
    : step({ ...s, phase: "releasing" }, [stopRenewing, send(LockServer, { _tag: "Release", token })])
}

export const clientOnMessage = (config: LeaseConfig, s: ClientState, m: LeaseMessage): ClientStep => {
  switch (m._tag) {
    case "Granted":
      if (s.phase !== "acquiring") return step(s)
      return step(
        { ...s, phase: "holding", token: m.token },
        config.bugs.noRenewal ? [setTimer("resume")] : [setTimer("resume"), setTimer("renew")]
      )
    case "Busy":
      return s.phase === "acquiring" ? step({ ...s, phase: "waiting" }, [setTimer("retry")]) : step(s)
    case "WriteResult":
      // Written or fenced off, the client is finished with the resource and lets the lock go.
      return s.phase === "writing" && s.token !== null ? release(config, s, s.token) : step(s)
    case "Value":
      // The naive release's gap: the key held our value when read; it may not when deleted.
      if (s.phase !== "checking") return step(s)
      return m.token === s.token ? step({ ...s, phase: "deleting" }, [send(LockServer, { _tag: "Del" })]) : step({ ...s, phase: "done" })
    case "Deleted":
      return s.phase === "deleting" ? step({ ...s, phase: "done" }) : step(s)
    case "Released":
      return s.phase === "releasing" ? step({ ...s, phase: "done" }) : step(s)
    case "Renewed":
      if (m.ok) return step({ ...s, renewed: true })
      // Told the lease is gone before using it: a fenced client gives up instead of writing.
      return s.phase === "holding" ? step({ ...s, phase: "done" }, [cancelTimer("resume")]) : step(s)
    default:
      return step(s)
  }
}

export const clientOnTimer = (s: ClientState, timer: LeaseTimer): ClientStep => {
  switch (timer) {
    case "retry":
      return s.phase === "waiting" ? step({ ...s, phase: "acquiring", attempts: s.attempts + 1 }, [send(LockServer, { _tag: "Acquire" })]) : step(s)
    case "resume":
      return s.phase === "holding" && s.token !== null ? step({ ...s, phase: "writing" }, [send(Resource, { _tag: "Write", token: s.token })]) : step(s)
    case "renew":
      return believesHeld(s) && s.token !== null ? step(s, [send(LockServer, { _tag: "Renew", token: s.token })]) : step(s)
    case "tick":
      return step(s)
  }
}
