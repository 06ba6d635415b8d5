/**
 * What the three hosted elections share: the status fields every node
 * reports (its idea of the leader and of the epoch it was elected in), the
 * one route they serve, `GET /v1/leader` (the same view, answered by the
 * node's reducer in its turn), and when a local cluster is ready.
 */
import { clientRoute, noBody, ready, reply, step, waiting } from "@parley/core"
import type { Actor, HostedApi, HttpReply, Readiness, ReportedStatus, StatusDeclaration } from "@parley/core"
import { Effect, Schema } from "effect"

/** The fields every election node's status has; Bully has no epoch, and says null. */
export const electionStatusFields = {
  role: Schema.Literals(["node", "service"]),
  phase: Schema.String,
  /** Whom this node believes leads; null when it does not know (a zk follower never does). */
  leader: Schema.NullOr(Schema.String),
  /** The epoch the leader was elected in, as this node knows it (ring: the election's number; zk: the leader's znode). */
  epoch: Schema.NullOr(Schema.Int)
}

const ElectionView = Schema.Struct({ node: Schema.String, ...electionStatusFields })
export type ElectionView = typeof ElectionView.Type

export const LeaderQuery = Schema.TaggedStruct("WhoLeads", { seq: Schema.Int })
export type LeaderQuery = typeof LeaderQuery.Type

export const LeaderAnswer = Schema.TaggedStruct("Leader", { seq: Schema.Int, view: ElectionView })
export type LeaderAnswer = typeof LeaderAnswer.Type

/**
 * The model's actor, which takes no requests, answering the leader query
 * from its state: the view's own fields only, when `view` hands over a
 * spec's whole status (Bully's `suspected`, the ring's `skipped`).
 */
export const answeringLeaderQuery = <S, M, T, D>(
  actor: Actor<S, M, T, never, never, D>,
  view: (state: S) => ElectionView
): Actor<S, M, T, LeaderQuery, LeaderAnswer, D> => ({
  ...actor,
  onRequest: (s, client, query) => {
    const { node, role, phase, leader, epoch } = view(s)
    return step(s, [reply(client, { _tag: "Leader", seq: query.seq, view: { node, role, phase, leader, epoch } })])
  }
})

/**
 * What a node whose model keeps nothing (Bully, the ring) keeps in a
 * cluster: the runtime's store holds records, and one that says the node
 * ran before is how its restart is told from its first start.
 */
export const StartedRecord = Schema.Struct({ started: Schema.Literal(true) })
export type StartedRecord = typeof StartedRecord.Type

const started: StartedRecord = { started: true }

export const keepingStarted = <S, M, T, Req, Res>(actor: Actor<S, M, T, Req, Res, null>): Actor<S, M, T, Req, Res, StartedRecord> => ({
  ...actor,
  durable: () => started,
  recover: (ctx) => actor.recover(ctx, null)
})

type ElectionStatus = Omit<ElectionView, "node">

/**
 * Ready once every node answers and they agree: one node names itself
 * leader, and every node that names a leader names it, in the same epoch.
 * With `followersKnow` (Bully, the ring) every node must name one; a zk
 * follower knows only that it does not lead, and the service names the
 * owner of the lowest znode.
 */
export const agreedElection = (followersKnow: boolean) => <St extends ElectionStatus>(nodes: ReadonlyArray<ReportedStatus<St>>): Readiness => {
  const silent = nodes.filter((node) => node.status === undefined).map((node) => node.id)
  if (silent.length > 0) return waiting(`no answer from ${silent.join(", ")}`)
  const leaders = nodes.filter((node) => node.status?.leader === node.id)
  if (leaders.length !== 1) return waiting(leaders.length === 0 ? "no leader" : `${leaders.map((node) => node.id).join(" and ")} each lead`)
  const leader = leaders[0]!
  const epoch = leader.status?.epoch ?? null
  const apart = nodes.filter(({ status }) =>
    status !== undefined && (status.leader !== null || (followersKnow && status.role === "node")) &&
    (status.leader !== leader.id || status.epoch !== epoch)
  )
  if (apart.length > 0) return waiting(`${apart.map((node) => node.id).join(", ")} do not follow ${leader.id}`)
  return ready(`leader ${leader.id}${epoch === null ? "" : ` in epoch ${epoch}`}`)
}

/**
 * A cluster option for what a cluster needs beyond the model's default
 * (heartbeats, probes, keep-alives): on unless the cluster file turns it
 * off, which runs the reducer of the default check, as `parley trace
 * replay` does to make a check's counterexample happen.
 */
export const onByDefault = Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true)))

const NoParams = Schema.Struct({})

/** `GET /v1/leader`: this node's view, `{node, role, phase, leader, epoch}`. */
const leaderRoute = clientRoute({
  method: "GET",
  path: "/v1/leader",
  params: NoParams,
  body: noBody,
  request: (_params, _body, seq): LeaderQuery => ({ _tag: "WhoLeads", seq }),
  reply: (_params, answer: LeaderAnswer): HttpReply => ({ status: 200, body: answer.view }),
  summary: "Whom this node believes leads, and in which epoch, as its reducer sees it now",
  answer: ElectionView
})

/** The client API of a hosted election: its status, the leader route, and its readiness. */
export const electionApi = <S, St extends ElectionStatus>(
  status: StatusDeclaration<S, St>,
  followersKnow: boolean
): HostedApi<S, LeaderQuery, LeaderAnswer, LeaderAnswer, St> => ({
  routes: [leaderRoute],
  status,
  answers: (answer) => answer.seq,
  outcome: (answer) => ({ _tag: "Answer", answer }),
  ready: agreedElection(followersKnow)
})
