/**
 * What a replay needs to know of a hosted spec, and how an entry of
 * replay-hosting.ts reads a trace's configuration: as the spec's typed
 * options, each placed as the cluster's to run or the trace's to take.
 */
import type { NodeId, SpecConfig } from "@parley/core"

export type Statuses = ReadonlyArray<{ readonly id: string; readonly status: Readonly<Record<string, unknown>> }>

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
  symptom?(statuses: Statuses): string | undefined
}

/**
 * What an option of the check is to a replay. `cluster`: it shapes the
 * reducer, so the cluster's options say it as the check had it. `trace`:
 * the replay takes it from the trace and the checked system: which nodes
 * and clients there are, the network, the crashes, the search's boundary.
 */
type OptionRole = "cluster" | "trace"

type ClusterKeys<O, Roles> = { [K in keyof O]: K extends keyof Roles ? (Roles[K] extends "cluster" ? K : never) : never }[keyof O]

/** A spec's definition as a replay reads it: the typed options of a trace's configuration. */
interface TypedSpec<O> {
  readonly name: string
  optionsIn(config: SpecConfig): O
}

interface TypedHosting<O, Roles> extends Omit<ReplayHosting, "clusterOptions"> {
  /** Every option of the check with its role: an option a spec adds does not compile until it is placed here. */
  readonly options: Roles
  /** The cluster's options from the options that shape the reducer, and only those. */
  clusterOptions(options: Pick<O, ClusterKeys<O, Roles>>): Readonly<Record<string, unknown>> | string
}

/** A hosting that reads the trace's configuration as the spec's typed options, each one placed. */
export const hostingOf = <O, const Roles extends { readonly [K in keyof O]: OptionRole }>(spec: TypedSpec<O>, typed: TypedHosting<O, Roles>): ReplayHosting => ({
  ...typed,
  clusterOptions: (config) => {
    let options: O
    try {
      options = spec.optionsIn(config)
    } catch (error) {
      return `its configuration does not fit ${spec.name}'s options: ${error instanceof Error ? error.message : String(error)}`
    }
    return typed.clusterOptions(options)
  }
})

/** The two roles, as values for an entry's `options`. */
export const trace = "trace"
export const cluster = "cluster"

