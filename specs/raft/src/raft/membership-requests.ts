/**
 * Membership changes and leadership transfer as a hosted cluster asks for
 * them: by a client request to the leader (`parley cluster add | remove |
 * transfer`), where the model's environment asks by timers. The request
 * starts the same reducer steps (reconfigure.ts, transfer.ts) under the
 * same rules; the answer says whether it started, and where: the index of
 * the configuration entry, which the caller watches commit.
 */
import { reply } from "@parley/core"
import type { ClientId } from "@parley/core"
import { formatKvRequest, formatKvResponse, KvRequest, KvResponse } from "@parley/kv"
import { Schema } from "effect"
import { latestConfiguration } from "./membership.ts"
import { changeVerdict, startChange } from "./reconfigure.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"
import { startTransfer, transferRefusal, transferTarget } from "./transfer.ts"

/** A node id as a cluster file spells it. */
export const MemberId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/))

/** What a cluster asks its leader: add or remove one node (a single-server change), or hand leadership to a member. */
export const MembershipChange = Schema.Union([
  Schema.TaggedStruct("AddNode", { node: MemberId }),
  Schema.TaggedStruct("RemoveNode", { node: MemberId }),
  Schema.TaggedStruct("TransferLeadership", { node: MemberId })
])
export type MembershipChange = typeof MembershipChange.Type

export const MembershipRequest = Schema.Struct({
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  change: MembershipChange,
  /** The host's clock, as on every hosted request; a change does not use it. */
  at: Schema.optionalKey(Schema.Int)
})
export type MembershipRequest = typeof MembershipRequest.Type

/**
 * The leader's answer: a configuration entry appended at `index` with
 * `members` (it commits later, as the caller sees in the status), a
 * transfer under way, or why not. `retry` says the same request may succeed
 * later (a change is in progress, the leader's term has no committed entry
 * yet, a transfer is under way); otherwise it never will as asked.
 */
export const MembershipOutput = Schema.Union([
  Schema.TaggedStruct("ChangeStarted", { index: Schema.Int, members: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("TransferStarted", { to: Schema.String, term: Schema.Int }),
  Schema.TaggedStruct("ChangeRefused", { reason: Schema.String, retry: Schema.Boolean })
])
export type MembershipOutput = typeof MembershipOutput.Type

/** Every request a hosted Raft node takes: the store's, and membership's. */
export const HostedRaftRequest = Schema.Union([KvRequest, MembershipRequest])
export type HostedRaftRequest = typeof HostedRaftRequest.Type

const MembershipDone = Schema.TaggedStruct("Done", { seq: Schema.Int, output: MembershipOutput })
export const HostedRaftResponse = Schema.Union([KvResponse, MembershipDone])
export type HostedRaftResponse = typeof HostedRaftResponse.Type

export const isMembershipRequest = (request: HostedRaftRequest): request is MembershipRequest => "change" in request

const isMembershipAnswer = Schema.is(MembershipDone)

const formatMembershipOutput = (output: MembershipOutput): string => {
  switch (output._tag) {
    case "ChangeStarted":
      return `ChangeStarted(${output.members.join(",")} at ${output.index})`
    case "TransferStarted":
      return `TransferStarted(${output.to} in term ${output.term})`
    case "ChangeRefused":
      return `ChangeRefused(${output.reason})`
  }
}

/** `#3 ChangeStarted(n1,n2,n3,n4 at 7)`, beside the store's answers. */
export const formatHostedRaftResponse = (response: HostedRaftResponse): string =>
  isMembershipAnswer(response) ? `#${response.seq} ${formatMembershipOutput(response.output)}` : formatKvResponse(response)

/** `#3 AddNode(n4)`, beside the store's `#2 Put(x=1)`. */
export const formatHostedRaftRequest = (request: HostedRaftRequest): string =>
  isMembershipRequest(request) ? `#${request.seq} ${request.change._tag}(${request.change.node})` : formatKvRequest(request)

/**
 * The leader starts the change or the transfer, or says why not, in its
 * answer; any other node names the leader it knows (in `out`, and no answer).
 */
export const onMembershipRequest = (
  config: RaftConfig,
  s: RaftState,
  client: ClientId,
  request: MembershipRequest,
  out: Outbox
): { readonly state: RaftState; readonly answer?: MembershipOutput } => {
  const { seq, change } = request
  if (s.role !== "leader") {
    out.push(reply(client, { _tag: "Redirect", seq, leader: s.leader }))
    return { state: s }
  }
  if (change._tag === "TransferLeadership") {
    const refusal = transferRefusal(config, s, change.node)
    // Only a transfer already under way ends by itself (done, or abandoned at the next CheckQuorum round).
    if (refusal !== undefined) return { state: s, answer: { _tag: "ChangeRefused", reason: refusal, retry: transferTarget(s) !== undefined } }
    return { state: startTransfer(config, s, change.node, out), answer: { _tag: "TransferStarted", to: change.node, term: s.term } }
  }
  const verdict = changeVerdict(config, s, change)
  if (verdict._tag !== "Now") return { state: s, answer: { _tag: "ChangeRefused", reason: verdict.reason, retry: verdict._tag === "Later" } }
  const state = startChange(config, s, change, out)
  const latest = latestConfiguration(config, state)
  return { state, answer: { _tag: "ChangeStarted", index: latest.index, members: latest.members } }
}
