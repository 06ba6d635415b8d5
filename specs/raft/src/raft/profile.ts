/**
 * What one check of `raft` explores: the options as given (the `model`
 * profile), or the configuration the runtime runs (the `runtime` profile),
 * a preset of PreVote, CheckQuorum, batched appends, pipelined messages, a
 * lossy network, a crash and two clients, within small bounds. The reducer
 * is the same in both; only the cluster around it and the search's
 * boundary differ.
 */
import type { NetworkSemantics } from "@parley/core"

export type Profile = "model" | "runtime"

/** Everything that shapes the checked cluster and its boundary, whichever profile chose it. */
export interface ClusterShape {
  readonly nodes: number
  readonly clients: number
  readonly requests: number
  readonly retries: number
  readonly maxTerm: number
  readonly crashes: number
  /** The first this many nodes may crash. */
  readonly crashable: number
  readonly maxInFlight: number
  readonly maxLog: number
  readonly network: NetworkSemantics
  readonly lossy: boolean
  readonly prevote: boolean
  readonly checkquorum: boolean
  /** Lease reads (reads.ts), with the clock assumption as the boundary (lease-clock.ts). */
  readonly leaseReads: boolean
  /** A snapshot every this many applied entries; 0: never. */
  readonly snapshotEvery: number
  /** At most this many entries in one AppendEntries. */
  readonly entriesPerAppend: number
  /** A leader's new entry goes at once to a follower whose entry before it is unanswered (replication.ts `appendNewEntry`). */
  readonly pipelinedAppends: boolean
  /** At most this many messages of one kind on one link at once. */
  readonly perKind: number
  /** Whether `maxInFlight` counts client requests and answers, or messages between servers only. */
  readonly countsClients: boolean
}

/**
 * The runtime's configuration within small bounds: the mechanisms the
 * runtime runs (PreVote, CheckQuorum, appends of several entries and
 * pipelined ones, a second message of a kind behind the first on a link,
 * a transport that loses messages, a crash and restart) with two clients
 * of one operation each, in the first term, with two messages between
 * servers in flight: 3,952,679 states, exhausted in minutes on one thread
 * (README).
 */
export const runtimeProfile: Omit<ClusterShape, "nodes" | "network" | "snapshotEvery" | "leaseReads"> = {
  clients: 2,
  requests: 1,
  retries: 0,
  maxTerm: 1,
  crashes: 1,
  crashable: 1,
  maxInFlight: 2,
  maxLog: 0,
  lossy: true,
  prevote: true,
  checkquorum: true,
  entriesPerAppend: 2,
  pipelinedAppends: true,
  perKind: 2,
  countsClients: false
}

/** What the runtime profile sets, for `parley list`. */
export const runtimeProfileSummary = "PreVote, CheckQuorum, up to 2 entries per AppendEntries, pipelined appends, 2 messages of a kind on a link, " +
  `a lossy network, ${runtimeProfile.crashes} crash (of n1), ${runtimeProfile.clients} clients of ${runtimeProfile.requests} operation, ` +
  `no retries, max term ${runtimeProfile.maxTerm}, at most ${runtimeProfile.maxInFlight} messages between servers in flight ` +
  "(client requests and answers not counted: without retries each client has at most one of each)"

/** The options the runtime profile sets the defaults of. */
const presetKeys = ["clients", "requests", "retries", "maxTerm", "crashes", "crashable", "maxInFlight", "maxLog", "lossy", "prevote", "checkquorum"] as const satisfies ReadonlyArray<
  keyof typeof runtimeProfile
>

type Preset = Partial<Pick<ClusterShape, (typeof presetKeys)[number]>>

/**
 * The defaults a profile among the given options sets (none for the model
 * profile): the runtime profile's values, in place of the declared
 * defaults. An option given explicitly wins, whatever its value: `--profile
 * runtime --max-term 2` explores two terms, for a swarm's deeper walks.
 */
export const profilePresets = (given: { readonly profile?: Profile }): Preset =>
  given.profile === "runtime" ? Object.fromEntries(presetKeys.map((key) => [key, runtimeProfile[key]])) : {}

/** How a profile's leaders append: one entry each, in turn, for the model; the runtime's batches and pipelining. */
export const appendsOf = (profile: Profile): Pick<ClusterShape, "entriesPerAppend" | "pipelinedAppends"> =>
  profile === "model"
    ? { entriesPerAppend: 1, pipelinedAppends: false }
    : { entriesPerAppend: runtimeProfile.entriesPerAppend, pipelinedAppends: runtimeProfile.pipelinedAppends }

/**
 * The cluster a profile checks, its options resolved (`profilePresets`
 * gave the runtime profile's defaults): the model profile sends one entry
 * per append and keeps one message of a kind per link; the runtime profile
 * two of each, and bounds only the messages between servers.
 */
export const clusterShape = (
  options: Omit<ClusterShape, "entriesPerAppend" | "pipelinedAppends" | "perKind" | "countsClients"> & { readonly profile: Profile }
): ClusterShape =>
  options.profile === "model"
    ? { ...options, ...appendsOf("model"), perKind: 1, countsClients: true }
    : { ...options, ...appendsOf("runtime"), perKind: runtimeProfile.perKind, countsClients: runtimeProfile.countsClients }
