/**
 * When a local cluster is ready for clients, told from its nodes' answers to
 * `GET /v1/status`. Each hosted spec says it its own way (a consensus
 * cluster once a majority names one leader, a coordinator and its
 * participants once each answers), so `parley cluster up` waits without
 * knowing any protocol's words.
 */
import type { NodeId } from "./actor.ts"

/** A node's status fields as `parley cluster` read them; undefined when the node is down or did not answer. */
export interface ReportedStatus<St = Readonly<Record<string, unknown>>> {
  readonly id: NodeId
  readonly status: St | undefined
}

export type Readiness =
  /** `summary` says what made it ready, as `parley cluster up` prints it: "leader n2 in term 3". */
  | { readonly _tag: "Ready"; readonly summary: string }
  /** `reason` says what is missing, as a timeout names it: "no leader". */
  | { readonly _tag: "Waiting"; readonly reason: string }

export const ready = (summary: string): Readiness => ({ _tag: "Ready", summary })
export const waiting = (reason: string): Readiness => ({ _tag: "Waiting", reason })

/**
 * A node that names itself leader (its status's `leader` field) and that a
 * majority of the nodes name too, in the same `term` where the status has
 * one; undefined when there is none.
 */
export const majorityLeader = <R extends ReportedStatus>(nodes: ReadonlyArray<R>): R | undefined => {
  const leaders = nodes.filter((node) => node.status?.["leader"] === node.id)
  return leaders.find((leader) =>
    nodes.filter((node) => node.status?.["leader"] === leader.id && node.status["term"] === leader.status?.["term"]).length >
      nodes.length / 2
  )
}

/** Ready once a majority names one leader: a replicated log's cluster, and the default. */
export const leaderAgreed = (nodes: ReadonlyArray<ReportedStatus>): Readiness => {
  const leader = majorityLeader(nodes)
  if (leader === undefined) return waiting("no leader")
  const term = leader.status?.["term"]
  return ready(`leader ${leader.id}${term === undefined ? "" : ` in term ${JSON.stringify(term)}`}`)
}

/** Ready once every node answers: a cluster whose nodes have fixed roles and elect nobody. */
export const everyNodeAnswers = (nodes: ReadonlyArray<ReportedStatus>): Readiness => {
  const silent = nodes.filter((node) => node.status === undefined).map((node) => node.id)
  return silent.length === 0 ? ready(`every node answers`) : waiting(`no answer from ${silent.join(", ")}`)
}
