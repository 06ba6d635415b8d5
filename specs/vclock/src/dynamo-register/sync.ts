/**
 * Replication made reliable, for the hosted store (`--sync` in the model):
 * a replica remembers, for each key it wrote, the peers that have not yet
 * acknowledged siblings covering its own, and on each `sync` timer sends
 * those keys' siblings to those peers again. A peer acknowledges every
 * `Replicate` with the context of what it then holds. So a replication lost
 * to a partition, a crash or a link not yet up arrives in the end, and a
 * resent set does no harm: merging is idempotent.
 */
import { send } from "@parley/core"
import type { NodeId, Output } from "@parley/core"
import { bucketGet, bucketSet, bucketsFlat, bucketUpdate } from "@parley/kv"
import type { Buckets } from "@parley/kv"
import type { RegisterMessage, Sibling } from "./messages.ts"
import { covers } from "./siblings.ts"

/** Each key some peers have not acknowledged, and those peers. */
export type Unacked = Buckets<ReadonlyArray<NodeId>>

/** The most keys one `sync` sends again; the next sends the rest. */
export const maxResentKeys = 64

const without = (map: Unacked, key: string): Unacked =>
  bucketUpdate(map, key, (bucket) => {
    if (!Object.hasOwn(bucket, key)) return { changed: false, result: undefined }
    // The bucket is a fresh copy, this key's alone to change.
    delete bucket[key]
    return { changed: true, result: undefined }
  }).map

/** `peer` acknowledged `context` for `key`: it is no longer waited for once the context covers every sibling here. */
export const acknowledge = (unacked: Unacked, key: string, peer: NodeId, siblings: ReadonlyArray<Sibling>, context: Readonly<Record<string, number>>): Unacked => {
  const waiting = bucketGet(unacked, key)
  if (waiting === undefined || !waiting.includes(peer) || !siblings.every((s) => covers(context, s.dot))) return unacked
  const rest = waiting.filter((p) => p !== peer)
  return rest.length === 0 ? without(unacked, key) : bucketSet(unacked, key, rest)
}

/** The `Replicate`s one `sync` sends: the first keys in order, each to the peers that have not acknowledged it. */
export const resends = (
  unacked: Unacked,
  siblingsOf: (key: string) => ReadonlyArray<Sibling>
): ReadonlyArray<Output<RegisterMessage, never, never>> =>
  Object.entries(bucketsFlat(unacked)).slice(0, maxResentKeys).flatMap(([key, peers]) =>
    peers.map((peer) => send<RegisterMessage>(peer, { _tag: "Replicate", key, siblings: siblingsOf(key) }))
  )
