/**
 * A replica of the Dynamo-style store (DeCandia et al., 2007), as a pure
 * reducer, with dotted version vectors for its versions. Any replica
 * coordinates a client's write to a key: it gives the write the next dot of
 * its own on that key and the client's context (so the write supersedes
 * exactly what the client had seen), merges it into the key's siblings,
 * answers the client, and sends the merged set to every peer. A replica
 * receiving a peer's set merges it into its own. A read returns the key's
 * siblings.
 */
import { reply, send, step } from "@parley/core"
import type { Actor, ClientId, NodeId, Step } from "@parley/core"
import { bucketGet, bucketSet, emptyBuckets } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import type { Put, RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse, RegisterTimer, Sibling } from "./messages.ts"
import { clockOf, mergeSiblings, written } from "./siblings.ts"
import type { SiblingBugs } from "./siblings.ts"

export interface ReplicaState {
  readonly self: NodeId
  readonly peers: ReadonlyArray<NodeId>
  /** Each key's versions, none of which supersedes another, in canonical order. */
  readonly store: Buckets<ReadonlyArray<Sibling>>
}

type ReplicaStep = Step<ReplicaState, RegisterMessage, RegisterTimer, RegisterResponse>

export const siblingsOf = (s: ReplicaState, key: string): ReadonlyArray<Sibling> => bucketGet(s.store, key) ?? []

const coordinate = (bugs: SiblingBugs, s: ReplicaState, client: ClientId, put: Put): ReplicaStep => {
  const local = siblingsOf(s, put.key)
  const version = written(bugs, s.self, local, put.value, put.context)
  const siblings = mergeSiblings(bugs, local, [version])
  return step({ ...s, store: bucketSet(s.store, put.key, siblings) }, [
    reply(client, { _tag: "PutOk", seq: put.seq, key: put.key, value: version.value, clock: clockOf(version) }),
    ...s.peers.map((peer) => send<RegisterMessage>(peer, { _tag: "Replicate", key: put.key, siblings }))
  ])
}

export const replicaActor = (
  bugs: SiblingBugs
): Actor<ReplicaState, RegisterMessage, RegisterTimer, RegisterRequest, RegisterResponse, RegisterDurable> => {
  const start = (self: NodeId, nodes: ReadonlyArray<NodeId>, store: Buckets<ReadonlyArray<Sibling>>): ReplicaStep =>
    step({ self, peers: nodes.filter((n) => n !== self), store })
  return {
    init: (ctx) => start(ctx.self, ctx.nodes, emptyBuckets),
    onMessage: (s, _from, m) => step({ ...s, store: bucketSet(s.store, m.key, mergeSiblings(bugs, siblingsOf(s, m.key), m.siblings)) }),
    onRequest: (s, client, request) =>
      request._tag === "Get"
        ? step(s, [reply(client, { _tag: "GetOk", seq: request.seq, key: request.key, siblings: siblingsOf(s, request.key) })])
        : coordinate(bugs, s, client, request),
    onTimer: (s) => step(s),
    durable: (s) => ({ store: s.store }),
    recover: (ctx, durable) => start(ctx.self, ctx.nodes, durable.store)
  }
}
