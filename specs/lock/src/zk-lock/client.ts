/**
 * A client of the ZooKeeper lock recipe: create an ephemeral sequential
 * node under the lock's parent; list the children; if its node is the
 * lowest it holds the lock, otherwise it watches only the next lower node
 * (its predecessor) with `exists`, and when that node is deleted lists the
 * children again, because the predecessor may have gone with an expired
 * session rather than by releasing. Holding, it deletes its node to release.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { Step } from "@parley/core"
import type { Seq, ZkMessage, ZkTimer } from "./messages.ts"

export const ZkServer = "zk"

/** Flags a variant switches on; all off is the recipe as ZooKeeper documents it. */
export interface ZkBugs {
  /** A waiter woken by its predecessor's deletion takes the lock without listing the children again. */
  readonly assumeLowest: boolean
  /** Waiters watch the parent (getChildren with a watch), so every change wakes every waiter. */
  readonly herd: boolean
}

export const zkRecipe: ZkBugs = { assumeLowest: false, herd: false }

export type ZkClientPhase = "creating" | "listing" | "checking" | "waiting" | "holding" | "releasing" | "done" | "expired"

export interface ZkClientState {
  readonly role: "client"
  readonly phase: ZkClientPhase
  readonly own: Seq | null
  /** The predecessor it watches (or last watched); null before, and always with the herd recipe. */
  readonly watched: Seq | null
}

type ClientStep = Step<ZkClientState, ZkMessage, ZkTimer, never>

export const zkClientInit = (): ClientStep =>
  step({ role: "client", phase: "creating", own: null, watched: null }, [send(ZkServer, { _tag: "Create" })])

const list = (bugs: ZkBugs, s: ZkClientState): ClientStep =>
  step({ ...s, phase: "listing" }, [send(ZkServer, { _tag: "GetChildren", watch: bugs.herd })])

const hold = (s: ZkClientState): ClientStep => step({ ...s, phase: "holding" }, [setTimer("release")])

/** Woken while waiting for its predecessor (or, in `checking`, before the `exists` answer arrived). */
const woken = (bugs: ZkBugs, s: ZkClientState): ClientStep => (bugs.assumeLowest ? hold(s) : list(bugs, s))

export const zkClientOnMessage = (bugs: ZkBugs, s: ZkClientState, m: ZkMessage): ClientStep => {
  if (s.phase === "expired" || s.phase === "done") return step(s)
  switch (m._tag) {
    case "Created":
      return s.phase === "creating" ? list(bugs, { ...s, own: m.seq }) : step(s)
    case "Children": {
      if (s.phase !== "listing" || s.own === null) return step(s)
      const own = s.own
      const lower = m.seqs.filter((seq) => seq < own)
      if (lower.length === 0) return hold(s)
      if (bugs.herd) return step({ ...s, phase: "waiting" })
      const predecessor = Math.max(...lower)
      return step({ ...s, phase: "checking", watched: predecessor }, [send(ZkServer, { _tag: "Exists", seq: predecessor })])
    }
    case "ExistsResult":
      if (s.phase !== "checking" || m.seq !== s.watched) return step(s)
      // Gone before the watch was set: look again rather than wait for a deletion that has happened.
      return m.exists ? step({ ...s, phase: "waiting" }) : list(bugs, s)
    case "NodeDeleted":
      return (s.phase === "waiting" || s.phase === "checking") && m.seq === s.watched ? woken(bugs, s) : step(s)
    case "ChildrenChanged":
      return s.phase === "waiting" ? woken(bugs, s) : step(s)
    case "DeleteResult":
      return s.phase === "releasing" ? step({ ...s, phase: "done" }) : step(s)
    case "SessionExpired":
      return step({ ...s, phase: "expired" }, [cancelTimer("release")])
    default:
      return step(s)
  }
}

export const zkClientOnTimer = (s: ZkClientState, timer: ZkTimer): ClientStep =>
  timer === "release" && s.phase === "holding" && s.own !== null
    ? step({ ...s, phase: "releasing" }, [send(ZkServer, { _tag: "Delete", seq: s.own })])
    : step(s)
