/**
 * What crosses a boundary in ZooKeeper-style leader election, each as an
 * effect Schema: the calls the recipe makes on the coordination service
 * (create an ephemeral sequential znode under `/election`, list the
 * children, `exists` with a watch on one znode), the answers, the watch
 * event, and session expiry. Every message names the session it belongs to;
 * a node opens a new session after its old one expired, and anything of an
 * older session is ignored on both sides.
 */
import { Schema } from "effect"

/** The sequence number ZooKeeper appends to `/election/n-`. */
export const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Seq = typeof Seq.Type
export const Session = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
export type Session = typeof Session.Type

export const Create = Schema.TaggedStruct("Create", { session: Session })
export const GetChildren = Schema.TaggedStruct("GetChildren", { session: Session })
export const Exists = Schema.TaggedStruct("Exists", { session: Session, seq: Seq })

export const Created = Schema.TaggedStruct("Created", { session: Session, seq: Seq })
export const Children = Schema.TaggedStruct("Children", { session: Session, seqs: Schema.Array(Seq) })
export const ExistsResult = Schema.TaggedStruct("ExistsResult", { session: Session, seq: Seq, exists: Schema.Boolean })
/** The watch on one znode fired: it was deleted. */
export const NodeDeleted = Schema.TaggedStruct("NodeDeleted", { session: Session, seq: Seq })
/** The session expired: its ephemeral znode is gone. */
export const SessionExpired = Schema.TaggedStruct("SessionExpired", { session: Session })
/** With keep-alives on, a node's session heartbeat: the service puts off the session's expiry, or says it has expired. */
export const Ping = Schema.TaggedStruct("Ping", { session: Session })

export const ZkMessage = Schema.Union([Create, GetChildren, Exists, Created, Children, ExistsResult, NodeDeleted, SessionExpired, Ping])
export type ZkMessage = typeof ZkMessage.Type

/**
 * The service's `Expire`: it stopped hearing a node's pings for a session
 * timeout and expires its session; the checker may fire it at any moment,
 * within a budget. A node's `KeepAlive`: time to ping the service again.
 */
export const Expire = Schema.TaggedStruct("Expire", { node: Schema.String })
export const KeepAlive = Schema.TaggedStruct("KeepAlive", {})
export const ZkTimer = Schema.Union([Expire, KeepAlive])
export type ZkTimer = typeof ZkTimer.Type

/** The service's whole state, what a restarted service recovers (a ZooKeeper ensemble keeps its tree and sessions). */
export const ZkServerRecord = Schema.Struct({
  role: Schema.Literal("service"),
  lastSeq: Schema.Int,
  /** `/election`'s children, in sequence order. */
  children: Schema.Array(Schema.Struct({ seq: Seq, owner: Schema.String })),
  /** Each node's latest session, in node order. */
  sessions: Schema.Array(Schema.Struct({ node: Schema.String, session: Session, live: Schema.Boolean })),
  watches: Schema.Array(Schema.Struct({ seq: Seq, watcher: Schema.String, session: Session })),
  expiries: Schema.Int
})

/** A node's last session, so that a restarted node opens a newer one (the service ignores an older session's calls). */
export const ZkNodeRecord = Schema.Struct({ role: Schema.Literal("node"), session: Session })

/** In the model no node crashes, a node's failure being its session's expiry; a running cluster's processes do. */
export const ZkDurable = Schema.Union([ZkServerRecord, ZkNodeRecord])
export type ZkDurable = typeof ZkDurable.Type
