/**
 * What crosses a boundary in the Bully algorithm (Garcia-Molina, 1982), each
 * as an effect Schema; types are derived from them. A message carries no
 * field: who sent it is the envelope's sender, and a node's rank is its id.
 */
import { Schema } from "effect"

/** "I am starting an election": sent to every node that outranks the sender. */
export const Election = Schema.TaggedStruct("Election", {})
/** "I outrank you and am alive; stand down": the reply to an Election. */
export const Answer = Schema.TaggedStruct("Answer", {})
/** "I lead": sent by the winner to every node it outranks. */
export const Coordinator = Schema.TaggedStruct("Coordinator", {})

/**
 * "I still lead": with heartbeats on, the leader's periodic message to every
 * node it outranks. Unlike Coordinator it changes no one's mind about a
 * higher leader, so a late one from a node that has since stepped down is
 * harmless.
 */
export const Heartbeat = Schema.TaggedStruct("Heartbeat", {})

export const BullyMessage = Schema.Union([Election, Answer, Coordinator, Heartbeat])
export type BullyMessage = typeof BullyMessage.Type

/**
 * - `answer-timeout`: no higher node answered the Election, so this node wins.
 * - `coordinator-timeout`: a higher node answered but never announced itself; elect again.
 * - `leader-timeout`: the failure detector suspects the leader (missed heartbeats, in a deployment).
 * - `boot`: a restarted node's first act, an election.
 * - `heartbeat`: with heartbeats on, the leader announces itself again to every lower node.
 */
export const BullyTimer = Schema.Literals(["answer-timeout", "coordinator-timeout", "leader-timeout", "boot", "heartbeat"])
export type BullyTimer = typeof BullyTimer.Type

/** Bully keeps nothing across a crash: a restarted node learns who leads by holding an election. */
export const BullyDurable = Schema.Null
export type BullyDurable = typeof BullyDurable.Type
