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

export const BullyMessage = Schema.Union([Election, Answer, Coordinator])
export type BullyMessage = typeof BullyMessage.Type

/**
 * - `answer-timeout`: no higher node answered the Election, so this node wins.
 * - `coordinator-timeout`: a higher node answered but never announced itself; elect again.
 * - `leader-timeout`: the failure detector suspects the leader (missed heartbeats, in a deployment).
 * - `boot`: a restarted node's first act, an election.
 */
export const BullyTimer = Schema.Literals(["answer-timeout", "coordinator-timeout", "leader-timeout", "boot"])
export type BullyTimer = typeof BullyTimer.Type

/** Bully keeps nothing across a crash: a restarted node learns who leads by holding an election. */
export const BullyDurable = Schema.Null
export type BullyDurable = typeof BullyDurable.Type
