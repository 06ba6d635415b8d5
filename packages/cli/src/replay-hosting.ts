/**
 * How a checked configuration becomes a cluster that runs the same reducer,
 * per hosted spec: the cluster file's options that build the actor the
 * check built, or why none do; and what a user sees of the broken property
 * in the nodes' statuses. A spec absent here is refused by `parley trace
 * replay` with what would be needed.
 */
import { CorrectVariant } from "@parley/core"
import type { NodeId, SpecConfig } from "@parley/core"
import { LockServer, Resource, ZkServer } from "@parley/lock"
import { sagaSteps } from "@parley/saga"
import { hostedSpecs } from "./hosted.ts"

export interface ReplayHosting {
  /** The cluster file's options whose actor is the checked one, or why the configuration cannot be hosted. */
  clusterOptions(config: SpecConfig): Readonly<Record<string, unknown>> | string
  /**
   * Which of the checked system's nodes run as processes; absent: all. The
   * others (a lock's clients, which the model makes nodes and a cluster
   * serves over HTTP) are the checker's, played by the replayer as it plays
   * scripted clients.
   */
  processes?(nodes: ReadonlyArray<NodeId>): ReadonlyArray<NodeId>
  /** Nodes the cluster runs beside the checked ones, which the trace never touches (zk-lock's resource); absent: none. */
  readonly alongside?: ReadonlyArray<NodeId>
  /** Whether a variant's bugs are all in the nodes the replayer plays, so the processes run the correct reducer. */
  readonly variantOnlyInPlayed?: boolean
  /** What the nodes' statuses show of the violation, one line, when it shows there. */
  symptom?(statuses: ReadonlyArray<{ readonly id: string; readonly status: Readonly<Record<string, unknown>> }>): string | undefined
}

/** Raft's check builds its actor with PreVote, CheckQuorum and lease reads as given and one entry per append (two, and pipelined appends, with `--profile runtime`). */
const raft: ReplayHosting = {
  clusterOptions: (config) => {
    const runtime = config["profile"] === "runtime"
    return {
      prevote: runtime || config["prevote"] === true,
      checkquorum: runtime || config["checkquorum"] === true,
      leaseReads: config["leaseReads"] === true,
      maxEntriesPerAppend: runtime ? 2 : 1,
      pipelinedAppends: runtime,
      // The checked reducer's members are fixed, and its first snapshot names none.
      membershipChanges: false
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

type Statuses = Parameters<NonNullable<ReplayHosting["symptom"]>>[0]

/** Nodes that each name themselves leader in one epoch (Bully has none: null), as the elections' statuses show it. */
const twoLeaders = (statuses: Statuses): string | undefined => {
  const leadersByEpoch = new Map<unknown, Array<string>>()
  for (const { id, status } of statuses) {
    if (status["leader"] === id) leadersByEpoch.set(status["epoch"], [...(leadersByEpoch.get(status["epoch"]) ?? []), id])
  }
  for (const [epoch, leaders] of leadersByEpoch) {
    const when = epoch === null ? "at once" : `in epoch ${String(epoch)}`
    if (leaders.length > 1) return `${leaders.join(" and ")} each report themselves leader ${when} (GET /v1/status): two leaders`
  }
  return undefined
}

/** A zk node that leads while the service names another: the owner of the lowest znode, whom the recipe makes leader. */
const notLowest = (statuses: Statuses): string | undefined => {
  const service = statuses.find(({ status }) => status["role"] === "service")
  const lowest = service?.status["leader"]
  const usurpers = statuses.filter(({ id, status }) => status["role"] === "node" && status["leader"] === id && id !== lowest).map(({ id }) => id)
  if (service === undefined || usurpers.length === 0) return undefined
  return `${usurpers.join(" and ")} ${usurpers.length === 1 ? "reports itself" : "report themselves"} leader while ${service.id}'s lowest znode is ` +
    `${lowest === null ? "nobody's" : `${String(lowest)}'s`} (GET /v1/status): a leader that does not hold the lowest znode`
}

/** An election whose cluster turns on one flag of the check (heartbeats, probes, keep-alives): the cluster runs it as the check had it. */
const election = (flag: string, symptom: (statuses: Statuses) => string | undefined): ReplayHosting => ({
  clusterOptions: (config) => ({ [flag]: config[flag] === true }),
  symptom
})

/** Causal broadcast's check broadcasts on the checker's timer, and has the digests as `--sync` says. */
const causalBroadcast: ReplayHosting = {
  clusterOptions: (config) => ({ broadcastTimer: true, sync: config["sync"] === true })
}

/** The Dynamo-style register's check resends replication as `--sync` says. */
const dynamoRegister: ReplayHosting = {
  clusterOptions: (config) => ({ sync: config["sync"] === true })
}

/**
 * The lock's check makes its clients nodes; a cluster serves clients over
 * HTTP, so the replayer plays them, sending their messages to the real
 * lock server and resource. Their leases last the check's `--ttl` ticks.
 */
const lock: ReplayHosting = {
  clusterOptions: (config) => ({ modelTtl: typeof config["ttl"] === "number" ? config["ttl"] : 1 }),
  processes: (nodes) => nodes.filter((id) => id === LockServer || id === Resource),
  symptom: (statuses) => {
    const resource = statuses.find(({ status }) => status["role"] === "resource")
    const stale = Number(resource?.status["staleTaken"] ?? 0)
    if (resource === undefined || stale === 0) return undefined
    return `${resource.id} reports ${stale} ${stale === 1 ? "write" : "writes"} taken with a token older than one it took before (GET /v1/status): a stale write`
  }
}

/**
 * zk-lock's check makes its clients nodes, which the replayer plays against
 * the real ZooKeeper server; the server tells them of their session's
 * expiry. Its variants' bugs are all the clients', so the server runs bugs
 * off. The cluster's resource stands beside it, idle: the model has none.
 */
const zkLock: ReplayHosting = {
  clusterOptions: (config) => ({ modelClients: Array.from({ length: Number(config["clients"] ?? 3) }, (_, i) => `c${i + 1}`) }),
  processes: (nodes) => nodes.filter((id) => id === ZkServer),
  alongside: [Resource],
  variantOnlyInPlayed: true
}

/**
 * A saga's check starts its one saga at once, resends within its retry
 * budget, and lets every service decide either way (both outcomes armed,
 * the trace's fired); the cluster runs so when told.
 */
const saga: ReplayHosting = {
  clusterOptions: (config) => ({
    steps: sagaSteps(Number(config["steps"] ?? 3)).map(({ action, compensation }) => ({ action, compensation })),
    retries: Number(config["retries"] ?? 1),
    startSaga: true,
    policy: "either"
  }),
  symptom: (statuses) => {
    const twice = statuses.filter(({ status }) => Number(status["repeated"] ?? 0) > 0)
    if (twice.length === 0) return undefined
    const counts = twice.map(({ id, status }) => `${id} reports ${String(status["repeated"])} taken twice`).join(", ")
    return `${counts} under one idempotency key (GET /v1/status): an effect applied more than once`
  }
}

export const replayHostings: Readonly<Record<string, ReplayHosting>> = {
  raft,
  "2pc": twoPc,
  "multi-paxos": multiPaxos,
  bully: election("heartbeats", twoLeaders),
  ring: election("probes", twoLeaders),
  zk: election("keepalive", (statuses) => twoLeaders(statuses) ?? notLowest(statuses)),
  "causal-broadcast": causalBroadcast,
  "dynamo-register": dynamoRegister,
  lock,
  "zk-lock": zkLock,
  saga,
  "saga-choreography": saga
}

/** Whether `parley trace replay` can run a violation of this spec and configuration on a cluster (what `check` suggests). */
export const replayable = (spec: string, config: SpecConfig): boolean => {
  const hosted = hostedSpecs.find((candidate) => candidate.name === spec)
  const variant = config["variant"]
  const hostsVariant = variant === undefined || variant === CorrectVariant || replayHostings[spec]?.variantOnlyInPlayed === true ||
    (hosted?.variants ?? []).some((known) => known.name === variant)
  return hosted !== undefined && hostsVariant && typeof replayHostings[spec]?.clusterOptions(config) === "object"
}
