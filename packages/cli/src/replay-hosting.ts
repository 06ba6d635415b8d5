/**
 * How a checked configuration becomes a cluster that runs the same reducer,
 * per hosted spec: the cluster file's options that build the actor the
 * check built, or why none do; and what a user sees of the broken property
 * in the nodes' statuses. A spec absent here is refused by `parley trace
 * replay` with what would be needed.
 */
import type { SpecConfig } from "@parley/core"

export interface ReplayHosting {
  /** The cluster file's options whose actor is the checked one, or why the configuration cannot be hosted. */
  clusterOptions(config: SpecConfig): Readonly<Record<string, unknown>> | string
  /** What the nodes' statuses show of the violation, one line, when it shows there. */
  symptom?(statuses: ReadonlyArray<{ readonly id: string; readonly status: Readonly<Record<string, unknown>> }>): string | undefined
}

/** Raft's check builds its actor with PreVote and CheckQuorum as given and one entry per append (two with `--profile runtime`). */
const raft: ReplayHosting = {
  clusterOptions: (config) => {
    const runtime = config["profile"] === "runtime"
    return {
      prevote: runtime || config["prevote"] === true,
      checkquorum: runtime || config["checkquorum"] === true,
      maxEntriesPerAppend: runtime ? 2 : 1
    }
  },
  symptom: (statuses) => {
    const leadersByTerm = new Map<unknown, Array<string>>()
    for (const { id, status } of statuses) {
      if (status["role"] !== "leader") continue
      leadersByTerm.set(status["term"], [...(leadersByTerm.get(status["term"]) ?? []), id])
    }
    for (const [term, leaders] of leadersByTerm) {
      if (leaders.length > 1) return `${leaders.join(" and ")} each report role leader in term ${String(term)} (GET /v1/status): two leaders in one term`
    }
    return undefined
  }
}

export const replayHostings: Readonly<Record<string, ReplayHosting>> = { raft }
