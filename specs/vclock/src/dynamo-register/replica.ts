/**
 * A replica of the Dynamo-style store (DeCandia et al., 2007), as a pure
 * reducer, with dotted version vectors for its versions. Any replica
 * coordinates a client's write to a key: it gives the write the next dot of
 * its own on that key and the client's context (so the write supersedes
 * exactly what the client had seen), merges it into the key's siblings,
 * answers the client, and sends the merged set to every peer. A replica
 * receiving a peer's set merges it into its own. A read returns the key's
 * siblings. With `sync` on, replication is resent until acknowledged
 * (sync.ts).
 */
import { reply, send, setTimer, step } from "@parley/core"
import type { Actor, ClientId, NodeId, Step } from "@parley/core"
import { bucketGet, bucketSet, emptyBuckets } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import type { Put, RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse, RegisterTimer, Sibling } from "./messages.ts"
import { clockOf, contextOf, mergeSiblings, written } from "./siblings.ts"
import type { SiblingBugs } from "./siblings.ts"
import { acknowledge, resends } from "./sync.ts"
import type { Unacked } from "./sync.ts"

export interface ReplicaState {
  readonly self: NodeId
  readonly peers: ReadonlyArray<NodeId>
  /** Each key's versions, none of which supersedes another, in canonical order. */
  readonly store: Buckets<ReadonlyArray<Sibling>>
  /** The keys whose siblings peers have not acknowledged; always empty with `sync` off. */
  readonly unacked: Unacked
}

/** What the host turns on beyond the algorithm: replication resent until acknowledged. */
export interface ReplicaSetup {
  readonly sync: boolean
}

type ReplicaStep = Step<ReplicaState, RegisterMessage, RegisterTimer, RegisterResponse>

export const siblingsOf = (s: ReplicaState, key: string): ReadonlyArray<Sibling> => bucketGet(s.store, key) ?? []

const coordinate = (bugs: SiblingBugs, setup: ReplicaSetup, s: ReplicaState, client: ClientId, put: Put): ReplicaStep => {
  const local = siblingsOf(s, put.key)
  const version = written(bugs, s.self, local, put.value, put.context)
  const siblings = mergeSiblings(bugs, local, [version])
  const unacked = setup.sync ? bucketSet(s.unacked, put.key, s.peers) : s.unacked
  return step({ ...s, store: bucketSet(s.store, put.key, siblings), unacked }, [
    reply(client, { _tag: "PutOk", seq: put.seq, key: put.key, value: version.value, clock: clockOf(version) }),
    ...s.peers.map((peer) => send<RegisterMessage>(peer, { _tag: "Replicate", key: put.key, siblings }))
  ])
}

const onMessage = (bugs: SiblingBugs, setup: ReplicaSetup, s: ReplicaState, from: NodeId, m: RegisterMessage): ReplicaStep => {
  if (m._tag === "ReplicateAck") return step({ ...s, unacked: acknowledge(s.unacked, m.key, from, siblingsOf(s, m.key), m.context) })
  const siblings = mergeSiblings(bugs, siblingsOf(s, m.key), m.siblings)
  const acked = setup.sync ? [send<RegisterMessage>(from, { _tag: "ReplicateAck", key: m.key, context: contextOf(siblings) })] : []
  return step({ ...s, store: bucketSet(s.store, m.key, siblings) }, acked)
}

export const replicaActor = (
  bugs: SiblingBugs,
  setup: ReplicaSetup = { sync: false }
): Actor<ReplicaState, RegisterMessage, RegisterTimer, RegisterRequest, RegisterResponse, RegisterDurable> => {
  const start = (self: NodeId, nodes: ReadonlyArray<NodeId>, durable: RegisterDurable): ReplicaStep =>
    step({ self, peers: nodes.filter((n) => n !== self), store: durable.store, unacked: durable.unacked }, setup.sync ? [setTimer("sync")] : [])
  return {
    init: (ctx) => start(ctx.self, ctx.nodes, { store: emptyBuckets, unacked: emptyBuckets }),
    onMessage: (s, from, m) => onMessage(bugs, setup, s, from, m),
    onRequest: (s, client, request) =>
      request._tag === "Get"
        ? step(s, [reply(client, { _tag: "GetOk", seq: request.seq, key: request.key, siblings: siblingsOf(s, request.key) })])
        : coordinate(bugs, setup, s, client, request),
    onTimer: (s) => step(s, [...resends(s.unacked, (key) => siblingsOf(s, key)), setTimer("sync")]),
    durable: (s) => ({ store: s.store, unacked: s.unacked }),
    recover: (ctx, durable) => start(ctx.self, ctx.nodes, durable)
  }
}
