/**
 * What an HTTP client may ask of a hosted zk-lock server, and the answers,
 * each as an effect Schema: the lease lock's calls (acquire, renew,
 * release, inspect, delete) on the ZooKeeper recipe, and `Watch`, the
 * recipe's `exists` with a watch on the predecessor, answered when it is
 * deleted. A session is its owner's; every call of the owner's is a
 * heartbeat. A model's clients make none of these: they are nodes.
 */
import { Schema } from "effect"
import { Elsewhere, LeaseView, LockCommandName, LockName, Owner, ReadRequest, ResourceAnswer, TtlMs, WriteRequest } from "../lock/requests.ts"
import { Seq } from "./messages.ts"

const seq = Schema.Int

export const ZkRequest = Schema.Union([
  /** Creates the owner's ephemeral sequential node under `name` unless it has one (a retry), and says whether it is the lowest. */
  Schema.TaggedStruct("Acquire", { seq, name: LockName, owner: Owner, ttlMs: TtlMs }),
  /** A heartbeat of the session that owns node `token`. */
  Schema.TaggedStruct("Renew", { seq, name: LockName, token: Seq }),
  /** Deletes node `token`. */
  Schema.TaggedStruct("Release", { seq, name: LockName, token: Seq }),
  Schema.TaggedStruct("Inspect", { seq, name: LockName }),
  /** Deletes the holder's node, whoever owns it: breaking a lock by hand. */
  Schema.TaggedStruct("Delete", { seq, name: LockName }),
  /** `exists(token, watch)`: answered once node `token` is gone. */
  Schema.TaggedStruct("Watch", { seq, name: LockName, owner: Owner, token: Seq }),
  /** The protected resource's, as in `lock`: a node's sequence number is its fencing token. */
  WriteRequest,
  ReadRequest
])
export type ZkRequest = typeof ZkRequest.Type

export const ZkResponse = Schema.Union([
  /**
   * `lease`: the holder's (the lowest node's), or the one deleted; for
   * acquire, `waitFor` is the predecessor to watch while the caller waits;
   * `sessionExpired` when the owner's session is gone and it must start a
   * new one.
   */
  Schema.TaggedStruct("LockAnswer", {
    seq,
    command: LockCommandName,
    name: LockName,
    ok: Schema.Boolean,
    lease: Schema.NullOr(LeaseView),
    waitFor: Schema.NullOr(Seq),
    sessionExpired: Schema.Boolean
  }),
  /** The watched node is gone. */
  Schema.TaggedStruct("Watched", { seq, token: Seq }),
  ResourceAnswer,
  Elsewhere
])
export type ZkResponse = typeof ZkResponse.Type
