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

export const ZkMessage = Schema.Union([Create, GetChildren, Exists, Created, Children, ExistsResult, NodeDeleted, SessionExpired])
export type ZkMessage = typeof ZkMessage.Type

/** The service stops hearing a node's heartbeats for a session timeout and expires its session; the checker may fire it at any moment, within a budget. */
export const ZkTimer = Schema.TaggedStruct("Expire", { node: Schema.String })
export type ZkTimer = typeof ZkTimer.Type

/** No node is made to crash: the service is one reliable server here, and a node's failure is its session's expiry. */
export const ZkDurable = Schema.Null
export type ZkDurable = typeof ZkDurable.Type
