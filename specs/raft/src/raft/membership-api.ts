/**
 * A hosted Raft node's membership: the reducer the runtime runs (Raft's,
 * with membership on and the cluster's requests for changes beside the
 * store's), and the admin routes of its client API:
 *   POST   /v1/admin/members          body {"node": id}: add a node (a single-server change)
 *   DELETE /v1/admin/members/{node}   remove a node
 *   POST   /v1/admin/leader           body {"node": id}: hand leadership to a member (TimeoutNow)
 * A follower forwards them to the leader, as it does writes. The answer is
 * 202 once the leader has started the change (the configuration entry's
 * index, which commits later: `members` and `membershipPending` in the
 * status say when) or the transfer, and 409 with the reason when it did not.
 */
import { clientRoute, jsonBody, noBody, reply, step } from "@parley/core"
import type { Actor, ClientRoute, HttpReply, Output } from "@parley/core"
import { Schema } from "effect"
import { HttpApiSchema } from "effect/http-api"
import type { RaftDurable, RaftMessage, RaftTimer } from "./messages.ts"
import { isMembershipRequest, MemberId, onMembershipRequest } from "./membership-requests.ts"
import type { HostedRaftRequest, HostedRaftResponse, MembershipChange, MembershipOutput, MembershipRequest } from "./membership-requests.ts"
import type { RaftActor } from "./node.ts"
import { settleReads } from "./reads.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

type HostedRaftOutput = Output<RaftMessage, RaftTimer, HostedRaftResponse>

export type HostedRaftActor = Actor<RaftState, RaftMessage, RaftTimer, HostedRaftRequest, HostedRaftResponse, RaftDurable>

/**
 * Raft's reducer, taking membership requests as well: each is one step, its
 * reads settled as every step's are (node.ts). A node starts with its first
 * configuration named in its snapshot, which is what `nodes` means anyway,
 * so that its status, which sees only the state, can report it; a
 * replay's node does not (`namesFirstConfiguration` false), as the checked
 * one does not.
 */
export const hostedRaftActor = (config: RaftConfig, raft: RaftActor, { namesFirstConfiguration = true } = {}): HostedRaftActor => ({
  ...raft,
  init: (ctx) => {
    const started = raft.init(ctx)
    if (config.membership === undefined || !namesFirstConfiguration) return started
    return step({ ...started.state, snapshot: { ...started.state.snapshot, members: config.nodes } }, started.out)
  },
  onRequest: (s, client, request) => {
    if (!isMembershipRequest(request)) return raft.onRequest(s, client, request)
    const out: Outbox = []
    const { state, answer } = onMembershipRequest(config, s, client, request, out)
    const outputs: Array<HostedRaftOutput> = out
    const settled = settleReads(config, state, out)
    if (answer !== undefined) outputs.push(reply(client, { _tag: "Done", seq: request.seq, output: answer }))
    return step(settled, outputs)
  }
})

const NodeBody = Schema.Struct({ node: MemberId })

const request = (seq: number, change: MembershipChange): MembershipRequest => ({ seq, change })

// The 202 answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const ChangeStartedBody = Schema.Struct({
  index: Schema.Int.annotate({ description: "the configuration entry's index in the log; the change is in force once it commits" }),
  members: Schema.Array(Schema.String).annotate({ description: "the configuration the entry holds" })
}).pipe(HttpApiSchema.status(202))
const TransferStartedBody = Schema.Struct({
  transferTo: Schema.String,
  term: Schema.Int.annotate({ description: "the term the leader hands over from; the new leader's is later" })
}).pipe(HttpApiSchema.status(202))

const refused = (output: Extract<MembershipOutput, { _tag: "ChangeRefused" }>): HttpReply => ({
  status: 409,
  body: { error: output.reason, retry: output.retry }
})

/** An output of another kind than the route's request makes: the reducer and the routes out of step, a server error that says so. */
const unexpected = (output: MembershipOutput): HttpReply => ({ status: 500, body: { error: `unexpected answer ${output._tag}` } })

const changeReply = (_: unknown, output: MembershipOutput): HttpReply =>
  output._tag === "ChangeStarted"
    ? { status: 202, body: { index: output.index, members: output.members } }
    : output._tag === "ChangeRefused" ? refused(output) : unexpected(output)

const nodeBody = jsonBody(NodeBody, `{"node": string}`)

/** Said of each route: a refusal is 409 {error, retry}, `retry` whether the same request may succeed later. */
const refusedWhy = "409 {error, retry} when refused, retry saying whether it may succeed later"

export const membershipRoutes: ReadonlyArray<ClientRoute<HostedRaftRequest, MembershipOutput>> = [
  clientRoute({
    method: "POST",
    path: "/v1/admin/members",
    params: Schema.Struct({}),
    body: nodeBody,
    request: (_, { node }, seq) => request(seq, { _tag: "AddNode", node }),
    reply: changeReply,
    summary: `Add a node to the cluster (a single-server change): 202 once the leader appended the configuration; ${refusedWhy}`,
    answer: ChangeStartedBody
  }),
  clientRoute({
    method: "DELETE",
    path: "/v1/admin/members/{node}",
    params: NodeBody,
    body: noBody,
    request: ({ node }, _, seq) => request(seq, { _tag: "RemoveNode", node }),
    reply: changeReply,
    summary: `Remove a node from the cluster: 202 once the leader appended the configuration; ${refusedWhy}`,
    answer: ChangeStartedBody
  }),
  clientRoute({
    method: "POST",
    path: "/v1/admin/leader",
    params: Schema.Struct({}),
    body: nodeBody,
    request: (_, { node }, seq) => request(seq, { _tag: "TransferLeadership", node }),
    reply: (_, output) =>
      output._tag === "TransferStarted"
        ? { status: 202, body: { transferTo: output.to, term: output.term } }
        : output._tag === "ChangeRefused" ? refused(output) : unexpected(output),
    summary: `Hand leadership to a member (TimeoutNow): 202 once the transfer started; ${refusedWhy}`,
    answer: TransferStartedBody
  })
]
