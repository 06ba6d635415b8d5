/**
 * How a checked configuration becomes a cluster that runs the same reducer,
 * per hosted spec: every option of the check placed, as shaping the
 * reducer (then handed, typed, to the cluster file's options that build the
 * actor the check built) or as the replay's to take from the trace (the
 * nodes, clients, network and faults, and the search's boundary); and what
 * a user sees of the broken property in the nodes' statuses. A spec absent
 * here is refused by `parley trace replay` with what would be needed.
 */
import { CorrectVariant } from "@parley/core"
import type { SpecConfig } from "@parley/core"
import { bullySpec, ringSpec, zkElectionSpec } from "@parley/election"
import { LockServer, lockSpec, Resource, ZkServer, zkLockSpec } from "@parley/lock"
import { multiPaxosSpec } from "@parley/paxos"
import { checkedRaftConfig, noBugs, raftSpec } from "@parley/raft"
import { choreographySpec, sagaSpec, sagaSteps } from "@parley/saga"
import { twoPhaseCommitSpec } from "@parley/twophase"
import { causalBroadcastSpec, dynamoRegisterSpec } from "@parley/vclock"
import { hostedSpecs } from "./hosted.ts"
import { cluster, hostingOf, trace } from "./replay-hosting-of.ts"
import type { ReplayHosting, Statuses } from "./replay-hosting-of.ts"

/** The hosted reducer snapshots at least every ten million entries: never, in a trace. */
const neverSnapshot = 10_000_000

/**
 * Raft's cluster runs the reducer the check built (`checkedRaftConfig`):
 * PreVote, CheckQuorum, lease reads and snapshots as given, the profile's
 * appends, and the model's membership and transfers, which the replayer
 * asks for by the environment's timers, as the checker does; the cluster's
 * own membership changes off.
 */
const raft = hostingOf(raftSpec, {
  options: {
    nodes: cluster,
    clients: trace,
    requests: trace,
    retries: trace,
    maxTerm: trace,
    crashes: trace,
    crashable: trace,
    maxInFlight: trace,
    maxLog: trace,
    snapshotEvery: cluster,
    network: trace,
    lossy: trace,
    prevote: cluster,
    checkquorum: cluster,
    membership: cluster,
    campaigners: trace,
    transfer: cluster,
    leaseReads: cluster,
    profile: cluster
  },
  clusterOptions: (options) => {
    const checked = checkedRaftConfig(options, noBugs)
    const membership = checked.membership === undefined ? {} : { membership: { members: checked.nodes, ...checked.membership } }
    const environment = checked.membership !== undefined || checked.leadershipTransfer === true
    return {
      prevote: checked.preVote,
      checkquorum: checked.checkQuorum,
      leaseReads: checked.leaseReads === true,
      maxEntriesPerAppend: checked.maxEntriesPerAppend,
      pipelinedAppends: checked.pipelinedAppends === true,
      snapshotEvery: checked.snapshotEvery === undefined || checked.snapshotEvery === 0 ? neverSnapshot : checked.snapshotEvery,
      membershipChanges: false,
      ...(environment ? { modelEnvironment: { ...membership, transfer: checked.leadershipTransfer === true } } : {})
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
})

/** 2pc's check and cluster build the same actor from `inquire`; a participant that committed while the coordinator aborted shows in the counts. */
const twoPc = hostingOf(twoPhaseCommitSpec, {
  options: { participants: trace, transactions: trace, crashes: trace, inquire: cluster, network: trace, lossy: trace },
  clusterOptions: ({ inquire }) => ({ inquire }),
  symptom: (statuses) => {
    const coordinator = statuses.find(({ status }) => status["role"] === "coordinator")
    const committed = statuses.filter(({ status }) => status["role"] === "participant" && Number(status["committed"]) > 0).map(({ id }) => id)
    if (coordinator === undefined || Number(coordinator.status["aborted"]) === 0 || committed.length === 0) return undefined
    return `${coordinator.id} reports ${String(coordinator.status["aborted"])} aborted and ${String(coordinator.status["committed"])} committed, ` +
      `while ${committed.join(" and ")} committed (GET /v1/status): the nodes disagree on the outcome`
  }
})

/**
 * Multi-Paxos' check runs the reducer of the papers whatever its options:
 * no heartbeat, no resends to idle peers, no snapshot, catch-up in 64s;
 * the cluster runs it so when told (a snapshot once a million slots are
 * applied is none in a trace). Two leaders of one ballot cannot both hold
 * it, so the symptom is what each node learned, which the statuses count
 * but do not show.
 */
const multiPaxos = hostingOf(multiPaxosSpec, {
  options: {
    nodes: trace,
    clients: trace,
    requests: trace,
    retries: trace,
    maxBallot: trace,
    slots: trace,
    crashes: trace,
    network: trace,
    lossy: trace
  },
  clusterOptions: () => ({ heartbeats: false, resendIdle: false, snapshotEvery: 1_000_000, catchUpBatch: 64 })
})

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

/* The elections' clusters turn on one flag of the check each (heartbeats, probes, keep-alives): the cluster runs it as the check had it. */

const bully = hostingOf(bullySpec, {
  options: { nodes: trace, crashes: trace, timing: trace, heartbeats: cluster, network: trace },
  clusterOptions: ({ heartbeats }) => ({ heartbeats }),
  symptom: twoLeaders
})

const ring = hostingOf(ringSpec, {
  options: { nodes: trace, crashes: trace, probes: cluster, network: trace },
  clusterOptions: ({ probes }) => ({ probes }),
  symptom: twoLeaders
})

const zk = hostingOf(zkElectionSpec, {
  options: { nodes: trace, expiries: trace, crashes: trace, keepalive: cluster, network: trace },
  clusterOptions: ({ keepalive }) => ({ keepalive }),
  symptom: (statuses) => twoLeaders(statuses) ?? notLowest(statuses)
})

/** Causal broadcast's check broadcasts on the checker's timer, and has the digests as `--sync` says. */
const causalBroadcast = hostingOf(causalBroadcastSpec, {
  options: { nodes: trace, broadcasts: trace, maxMessages: trace, network: trace, sync: cluster, lossy: trace },
  clusterOptions: ({ sync }) => ({ broadcastTimer: true, sync })
})

/** The Dynamo-style register's check resends replication as `--sync` says. */
const dynamoRegister = hostingOf(dynamoRegisterSpec, {
  options: { replicas: trace, clients: trace, writes: trace, network: trace, sync: cluster, lossy: trace },
  clusterOptions: ({ sync }) => ({ sync })
})

/**
 * The lock's check makes its clients nodes; a cluster serves clients over
 * HTTP, so the replayer plays them, sending their messages to the real
 * lock server and resource. Their leases last the check's `--ttl` ticks.
 */
const lock = hostingOf(lockSpec, {
  options: { clients: trace, ttl: cluster, maxTime: trace, attempts: trace, network: trace },
  clusterOptions: ({ ttl }) => ({ modelTtl: ttl }),
  processes: (nodes) => nodes.filter((id) => id === LockServer || id === Resource),
  symptom: (statuses) => {
    const resource = statuses.find(({ status }) => status["role"] === "resource")
    const stale = Number(resource?.status["staleTaken"] ?? 0)
    if (resource === undefined || stale === 0) return undefined
    return `${resource.id} reports ${stale} ${stale === 1 ? "write" : "writes"} taken with a token older than one it took before (GET /v1/status): a stale write`
  }
})

/**
 * zk-lock's check makes its clients nodes, which the replayer plays against
 * the real ZooKeeper server; the server tells them of their session's
 * expiry. Its variants' bugs are all the clients', so the server runs bugs
 * off. The cluster's resource stands beside it, idle: the model has none.
 */
const zkLock = hostingOf(zkLockSpec, {
  options: { clients: cluster, expiries: trace, network: trace },
  clusterOptions: ({ clients }) => ({ modelClients: Array.from({ length: clients }, (_, i) => `c${i + 1}`) }),
  processes: (nodes) => nodes.filter((id) => id === ZkServer),
  alongside: [Resource],
  variantOnlyInPlayed: true
})

/**
 * A saga's check starts its one saga at once, resends within its retry
 * budget, and lets every service decide either way (both outcomes armed,
 * the trace's fired); the cluster runs so when told.
 */
const sagaOptions = ({ steps, retries }: { readonly steps: number; readonly retries: number }) => ({
  steps: sagaSteps(steps).map(({ action, compensation }) => ({ action, compensation })),
  retries,
  startSaga: true,
  policy: "either"
})

const sagaSymptom = (statuses: Statuses): string | undefined => {
  const twice = statuses.filter(({ status }) => Number(status["repeated"] ?? 0) > 0)
  if (twice.length === 0) return undefined
  const counts = twice.map(({ id, status }) => `${id} reports ${String(status["repeated"])} taken twice`).join(", ")
  return `${counts} under one idempotency key (GET /v1/status): an effect applied more than once`
}

const sagaRoles = { steps: cluster, retries: cluster, crashes: trace, network: trace, lossy: trace } as const

export const replayHostings: Readonly<Record<string, ReplayHosting>> = {
  raft,
  "2pc": twoPc,
  "multi-paxos": multiPaxos,
  bully,
  ring,
  zk,
  "causal-broadcast": causalBroadcast,
  "dynamo-register": dynamoRegister,
  lock,
  "zk-lock": zkLock,
  saga: hostingOf(sagaSpec, { options: sagaRoles, clusterOptions: sagaOptions, symptom: sagaSymptom }),
  "saga-choreography": hostingOf(choreographySpec, { options: sagaRoles, clusterOptions: sagaOptions, symptom: sagaSymptom })
}

/** Whether `parley trace replay` can run a violation of this spec and configuration on a cluster (what `check` suggests). */
export const replayable = (spec: string, config: SpecConfig): boolean => {
  const hosted = hostedSpecs.find((candidate) => candidate.name === spec)
  const variant = config["variant"]
  const hostsVariant = variant === undefined || variant === CorrectVariant || replayHostings[spec]?.variantOnlyInPlayed === true ||
    (hosted?.variants ?? []).some((known) => known.name === variant)
  return hosted !== undefined && hostsVariant && typeof replayHostings[spec]?.clusterOptions(config) === "object"
}
