/**
 * A replica of the Dynamo-style register (DeCandia et al., 2007), as a pure
 * reducer. Any replica coordinates a client's write: it gives the write the
 * clock of the client's context with the client's own counter incremented
 * (so the write dominates everything the client had seen), merges it into
 * its sibling set, answers the client, and sends the merged set to every
 * peer. A replica receiving a peer's set merges it into its own. A read
 * returns the replica's siblings.
 */
import { reply, send, step } from "@parley/core"
import type { Actor, ClientId, NodeId, Step } from "@parley/core"
import { counter, increment } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { Put, RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse, RegisterTimer, Sibling } from "./messages.ts"
import { mergeSiblings } from "./siblings.ts"
import type { SiblingBugs } from "./siblings.ts"

export interface ReplicaState {
  readonly self: NodeId
  readonly peers: ReadonlyArray<NodeId>
  /** The versions none of which supersedes another, in canonical order. */
  readonly siblings: ReadonlyArray<Sibling>
}

type ReplicaStep = Step<ReplicaState, RegisterMessage, RegisterTimer, RegisterResponse>

/** The clock a coordinator gives `client`'s write: its context, the client's counter one higher. */
export const writeClock = (bugs: SiblingBugs, client: ClientId, context: VClock): VClock =>
  bugs.ignoreContext ? { [client]: counter(context, client) + 1 } : increment(context, client)

const coordinate = (bugs: SiblingBugs, s: ReplicaState, client: ClientId, put: Put): ReplicaStep => {
  const written: Sibling = { value: put.value, clock: writeClock(bugs, client, put.context) }
  const siblings = mergeSiblings(bugs, s.siblings, [written])
  return step({ ...s, siblings }, [
    reply(client, { _tag: "PutOk", value: written.value, clock: written.clock }),
    ...s.peers.map((peer) => send<RegisterMessage>(peer, { _tag: "Replicate", siblings }))
  ])
}

export const replicaActor = (
  bugs: SiblingBugs
): Actor<ReplicaState, RegisterMessage, RegisterTimer, RegisterRequest, RegisterResponse, RegisterDurable> => {
  const init = (self: NodeId, nodes: ReadonlyArray<NodeId>): ReplicaStep => step({ self, peers: nodes.filter((n) => n !== self), siblings: [] })
  return {
    init: (ctx) => init(ctx.self, ctx.nodes),
    onMessage: (s, _from, m) => step({ ...s, siblings: mergeSiblings(bugs, s.siblings, m.siblings) }),
    onRequest: (s, client, request) =>
      request._tag === "Get" ? step(s, [reply(client, { _tag: "GetOk", siblings: s.siblings })]) : coordinate(bugs, s, client, request),
    onTimer: (s) => step(s),
    durable: () => null,
    recover: (ctx) => init(ctx.self, ctx.nodes)
  }
}
