/**
 * What one check of `raft` explores: the options as given (the `model`
 * profile), or the configuration the runtime runs (the `runtime` profile),
 * a preset of PreVote, CheckQuorum, batched appends, pipelined messages, a
 * lossy network, a crash and two clients, within small bounds. The reducer
 * is the same in both; only the cluster around it and the search's
 * boundary differ.
 */
import { optionName } from "@parley/core"
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

/** The options a profile sets, by their command-line names, for `parley list` and for refusing a conflicting option. */
export const runtimeProfileSummary = "PreVote, CheckQuorum, up to 2 entries per AppendEntries, pipelined appends, 2 messages of a kind on a link, " +
  `a lossy network, ${runtimeProfile.crashes} crash (of n1), ${runtimeProfile.clients} clients of ${runtimeProfile.requests} operation, ` +
  `no retries, max term ${runtimeProfile.maxTerm} (--max-term other than its default raises it), at most ${runtimeProfile.maxInFlight} messages between servers in flight ` +
  "(client requests and answers not counted: without retries each client has at most one of each)"

/** The options the runtime profile sets in place of the given ones. */
const presetKeys = ["clients", "requests", "retries", "maxTerm", "crashes", "crashable", "maxInFlight", "maxLog", "lossy", "prevote", "checkquorum"] as const satisfies ReadonlyArray<
  keyof typeof runtimeProfile
>

type PresetKey = (typeof presetKeys)[number]
type Declared = { readonly [K in PresetKey]: { readonly default: unknown } }

/**
 * The bounds of the search a user may raise under the profile, when given
 * other than the option's default: more terms for a swarm's walks, which
 * the first term's boundary ends after a few dozen steps.
 */
const raisableKeys: ReadonlyArray<PresetKey> = ["maxTerm"]

/**
 * The options a profile sets in place of the given ones (none for the model
 * profile): the runtime profile's, but a raisable bound given other than
 * its default. Refuses any other option given other than its default,
 * rather than ignore it.
 */
export const profileOptions = (
  options: Pick<ClusterShape, PresetKey> & { readonly profile: Profile },
  declared: Declared
): Partial<Pick<ClusterShape, PresetKey>> => {
  if (options.profile === "model") return {}
  const given = presetKeys.filter((key) => options[key] !== declared[key].default)
  const conflicting = given.filter((key) => !raisableKeys.includes(key))
  if (conflicting.length > 0) {
    throw new RangeError(`--profile runtime sets ${conflicting.map((key) => `--${optionName(key)}`).join(", ")} itself (${runtimeProfileSummary}); ` +
      "leave them out, or check with --profile model and the options you want")
  }
  return Object.fromEntries(presetKeys.map((key) => [key, given.includes(key) ? options[key] : runtimeProfile[key]]))
}

/**
 * The cluster a profile checks. The model profile takes the options as
 * given, one entry per append and one message of a kind per link; the
 * runtime profile sets its own values (see `profileOptions`).
 */
export const clusterShape = (
  options: Omit<ClusterShape, "entriesPerAppend" | "pipelinedAppends" | "perKind" | "countsClients"> & { readonly profile: Profile },
  declared: Declared
): ClusterShape =>
  options.profile === "model"
    ? { ...options, entriesPerAppend: 1, pipelinedAppends: false, perKind: 1, countsClients: true }
    : { ...options, ...runtimeProfile, ...profileOptions(options, declared) }
