/**
 * What crosses a boundary in causal broadcast, each as an effect Schema:
 * the broadcast message (its origin's sequence number, the vector clock it
 * was stamped with, and what it says), the digest that asks a peer to send
 * again what was lost, the timers, the clients' requests and the answers,
 * and what a node keeps durable.
 */
import { Schema } from "effect"
import { VClock } from "../vclock.ts"

/** A message's id: its origin and its number there, `n1#3`. */
export const MessageId = Schema.String.check(Schema.isPattern(/^[^#\s]+#[1-9][0-9]*$/))

/** The `seq`-th message `origin` broadcast, stamped with `clock`; `inReplyTo` names the message it answers, which the sender had delivered. */
export const Broadcast = Schema.TaggedStruct("Broadcast", {
  origin: Schema.String,
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  clock: VClock,
  text: Schema.String,
  inReplyTo: Schema.NullOr(Schema.String)
})
export type Broadcast = typeof Broadcast.Type

/**
 * How many messages of each origin the sender has delivered: the peer sends
 * again those of its own that the sender lacks (lost to a partition, a
 * crash, a link not yet up), so each link is reliable in the end.
 */
export const Digest = Schema.TaggedStruct("Digest", { delivered: VClock })
export type Digest = typeof Digest.Type

export const CausalMessage = Schema.Union([Broadcast, Digest])
export type CausalMessage = typeof CausalMessage.Type

/**
 * `broadcast`: the application broadcasts (the checker fires it whenever it
 * likes, within a budget per node; a hosted node broadcasts on request
 * instead). `sync`: the node sends its digest to every peer.
 */
export const CausalTimer = Schema.Literals(["broadcast", "sync"])
export type CausalTimer = typeof CausalTimer.Type

/** The most characters one message may say. */
export const maxTextLength = 10_000

/** Broadcast `text`, answering `inReplyTo` if not null; `seq` is the host's number for the request, which the answer repeats. */
export const Post = Schema.TaggedStruct("Post", {
  seq: Schema.Int,
  text: Schema.String,
  inReplyTo: Schema.NullOr(Schema.String)
})
export type Post = typeof Post.Type

/** The messages this node delivered, in its delivery order, from the `from`-th (0 first), at most `limit`. */
export const List = Schema.TaggedStruct("List", { seq: Schema.Int, from: Schema.Int, limit: Schema.Int })
export type List = typeof List.Type

export const CausalRequest = Schema.Union([Post, List])
export type CausalRequest = typeof CausalRequest.Type

export const Posted = Schema.TaggedStruct("Posted", { seq: Schema.Int, message: Broadcast })
export type Posted = typeof Posted.Type

/** A post refused: it answers a message this node has not delivered, so its clock could not say it comes after it. */
export const NotPosted = Schema.TaggedStruct("NotPosted", { seq: Schema.Int, reason: Schema.String })
export type NotPosted = typeof NotPosted.Type

export const Listed = Schema.TaggedStruct("Listed", {
  seq: Schema.Int,
  messages: Schema.Array(Broadcast),
  /** How many messages this node delivered in all, and how many wait for one they depend on. */
  delivered: Schema.Int,
  pending: Schema.Int
})
export type Listed = typeof Listed.Type

export const CausalResponse = Schema.Union([Posted, NotPosted, Listed])
export type CausalResponse = typeof CausalResponse.Type

/**
 * What a node keeps across a crash: what it delivered, in order (its own
 * broadcasts among them, which only it can send again). What waited is
 * not kept: its senders send it again on the next digest.
 */
export const CausalDurable = Schema.Struct({ log: Schema.Array(Broadcast) })
export type CausalDurable = typeof CausalDurable.Type
