/**
 * What crosses a boundary in the ZooKeeper lock recipe, each as an effect
 * Schema: the subset of the ZooKeeper API the recipe uses (create an
 * ephemeral sequential node under the lock's parent, list the children,
 * `exists` with a watch, delete), the watch notifications and session
 * expiry, and the timers. Types are derived from the Schemas.
 */
import { Schema } from "effect"
import { ResourceDurable } from "../lock/messages.ts"

/** The sequence number ZooKeeper appends to `/lock/n-`: the node's name. */
export const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Seq = typeof Seq.Type

export const Create = Schema.TaggedStruct("Create", {})
/** `watch`: leave a watch on the parent, fired by any change of its children (the herd recipe). */
export const GetChildren = Schema.TaggedStruct("GetChildren", { watch: Schema.Boolean })
/** `exists(node, watch=true)`: leaves a watch that fires when that one node is deleted. */
export const Exists = Schema.TaggedStruct("Exists", { seq: Seq })
export const Delete = Schema.TaggedStruct("Delete", { seq: Seq })

export const Created = Schema.TaggedStruct("Created", { seq: Seq })
export const Children = Schema.TaggedStruct("Children", { seqs: Schema.Array(Seq) })
export const ExistsResult = Schema.TaggedStruct("ExistsResult", { seq: Seq, exists: Schema.Boolean })
export const DeleteResult = Schema.TaggedStruct("DeleteResult", {})
/** A watch on one node fired: the node was deleted. */
export const NodeDeleted = Schema.TaggedStruct("NodeDeleted", { seq: Seq })
/** A watch on the parent fired: a child was created or deleted. */
export const ChildrenChanged = Schema.TaggedStruct("ChildrenChanged", {})
/** The client's session expired: its ephemeral node is gone, and the server ignores it from now on. */
export const SessionExpired = Schema.TaggedStruct("SessionExpired", {})

export const ZkMessage = Schema.Union([
  Create, GetChildren, Exists, Delete,
  Created, Children, ExistsResult, DeleteResult, NodeDeleted, ChildrenChanged, SessionExpired
])
export type ZkMessage = typeof ZkMessage.Type

/**
 * `release`: a holder is done with the lock. `Expire`: the server stops
 * hearing from a session for its timeout and expires it; the checker may
 * fire it at any moment, within a budget, and a hosted server arms it again
 * whenever the session is heard from.
 */
export const ZkTimer = Schema.Union([Schema.Literal("release"), Schema.TaggedStruct("Expire", { session: Schema.String })])
export type ZkTimer = typeof ZkTimer.Type

/**
 * What survives a crash of a hosted server, as ZooKeeper keeps its data
 * tree and sessions: the nodes, the sequence counter, the sessions live and
 * expired. Watches do not survive (a ZooKeeper client sets them again); a
 * waiter's call fails and it asks again. A hosted resource keeps its
 * entries, as `lock`'s does. A model's nodes keep nothing.
 */
export const ZkDurable = Schema.Union([
  ResourceDurable,
  Schema.Struct({
    role: Schema.Literal("server"),
    lastSeq: Schema.Int,
    children: Schema.Array(Schema.Struct({ name: Schema.String, seq: Seq, owner: Schema.String })),
    sessions: Schema.Array(Schema.String),
    expired: Schema.Array(Schema.String)
  }),
  Schema.Null
])
export type ZkDurable = typeof ZkDurable.Type
