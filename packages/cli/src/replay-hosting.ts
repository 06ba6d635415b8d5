/**
 * How a checked configuration becomes a cluster that runs the same reducer,
 * per hosted spec: the cluster file's options that build the actor the
 * check built, or why none do; and what a user sees of the broken property
 * in the nodes' statuses. A spec absent here is refused by `parley trace
 * replay` with what would be needed.
 */
import { CorrectVariant } from "@parley/core"
import type { SpecConfig } from "@parley/core"
import { hostedSpecs } from "./hosted.ts"

export interface ReplayHosting {
  /** The cluster file's options whose actor is the checked one, or why the configuration cannot be hosted. */
  clusterOptions(config: SpecConfig): Readonly<Record<string, unknown>> | string
  /** What the nodes' statuses show of the violation, one line, when it shows there. */
  symptom?(statuses: ReadonlyArray<{ readonly id: string; readonly status: Readonly<Record<string, unknown>> }>): string | undefined
}

/** Raft's check builds its actor with PreVote, CheckQuorum and lease reads as given and one entry per append (two with `--profile runtime`). */
const raft: ReplayHosting = {
  clusterOptions: (config) => {
    const runtime = config["profile"] === "runtime"
    return {
      prevote: runtime || config["prevote"] === true,
      checkquorum: runtime || config["checkquorum"] === true,
      leaseReads: config["leaseReads"] === true,
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

/** 2pc's check and cluster build the same actor from `inquire`; a participant that committed while the coordinator aborted shows in the counts. */
const twoPc: ReplayHosting = {
  clusterOptions: (config) => ({ inquire: config["inquire"] === true }),
  symptom: (statuses) => {
    const coordinator = statuses.find(({ status }) => status["role"] === "coordinator")
    const committed = statuses.filter(({ status }) => status["role"] === "participant" && Number(status["committed"]) > 0).map(({ id }) => id)
    if (coordinator === undefined || Number(coordinator.status["aborted"]) === 0 || committed.length === 0) return undefined
    return `${coordinator.id} reports ${String(coordinator.status["aborted"])} aborted and ${String(coordinator.status["committed"])} committed, ` +
      `while ${committed.join(" and ")} committed (GET /v1/status): the nodes disagree on the outcome`
  }
}

/**
 * Multi-Paxos' check runs the reducer of the papers: no heartbeat, no
 * resends to idle peers, no snapshot, catch-up in 64s; the cluster runs it
 * so when told (a snapshot once a million slots are applied is none in a
 * trace). Two leaders of one ballot cannot both hold it, so the symptom is
 * what each node learned, which the statuses count but do not show.
 */
const multiPaxos: ReplayHosting = {
  clusterOptions: () => ({ heartbeats: false, resendIdle: false, snapshotEvery: 1_000_000, catchUpBatch: 64 })
}

/** A spec whose cluster runs another reducer than its check: why, and what replaying it would need. */
const notYet = (why: string): ReplayHosting => ({ clusterOptions: () => why })

const sagaNeeds = "cluster options for the check's retry budget, a saga started at once and services that may decide either way, and the variants in its HostedSpec"

export const replayHostings: Readonly<Record<string, ReplayHosting>> = {
  raft,
  "2pc": twoPc,
  "multi-paxos": multiPaxos,
  saga: notYet(
    "the saga cluster's orchestrator retries without end and starts no saga itself, and its services accept or refuse by the cluster file, unlike the check's; " +
      `replaying needs ${sagaNeeds} (specs/saga/src/saga/hosting.ts)`
  ),
  "saga-choreography": notYet(
    "the saga-choreography cluster's services resend without end and start no saga themselves, and accept or refuse by the cluster file, unlike the check's; " +
      `replaying needs ${sagaNeeds} (specs/saga/src/saga-choreography/hosting.ts)`
  )
}

/** Whether `parley trace replay` can run a violation of this spec and configuration on a cluster (what `check` suggests). */
export const replayable = (spec: string, config: SpecConfig): boolean => {
  const hosted = hostedSpecs.find((candidate) => candidate.name === spec)
  const variant = config["variant"]
  const hostsVariant = variant === undefined || variant === CorrectVariant || (hosted?.variants ?? []).some((known) => known.name === variant)
  return hosted !== undefined && hostsVariant && typeof replayHostings[spec]?.clusterOptions(config) === "object"
}
