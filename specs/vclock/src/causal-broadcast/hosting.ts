/**
 * Causal broadcast as the runtime hosts it: a group chat whose every node
 * runs the reducer the checker explores (bugs off unless a variant is
 * asked for), broadcasting on request instead of on the checker's timer,
 * with the digests on (`--sync`) that make each link reliable. Its API:
 *   POST /v1/messages   body {"text": string, "inReplyTo"?: "n1#3"}: 201 with the message and its vector clock;
 *                       409 when it answers a message this node has not delivered
 *   GET  /v1/messages   ?from=0&limit=100: what this node delivered, in delivery order, each with its clock
 * Every node takes every request itself: there is no leader and no forwarding.
 */
import { clientRoute, everyNodeAnswers, hostedSpec, jsonBody, noBody } from "@parley/core"
import type { HttpReply } from "@parley/core"
import { Effect, Schema, SchemaTransformation, Struct } from "effect"
import { HttpApiSchema } from "effect/http-api"
import { VClock } from "../vclock.ts"
import { Broadcast, CausalDurable, CausalMessage, CausalRequest, CausalResponse, maxTextLength, MessageId } from "./messages.ts"
import type { CausalTimer } from "./messages.ts"
import { causalActor, causalBroadcast, messageId } from "./node.ts"
import type { CausalState } from "./node.ts"
import { causalBroadcastSpec } from "./spec.ts"

/** The most messages one GET lists; `from` pages through the rest. */
export const maxListed = 1000

/**
 * A node sends its digest to every peer each second: a lost message is sent
 * again within about that. `broadcast` fires only with the cluster file's
 * `broadcastTimer` on (the checker's way of broadcasting).
 */
export const causalTimerDefaults = { sync: { minMs: 1000, maxMs: 1000 }, broadcast: { minMs: 1000, maxMs: 1000 } } as const

const flag = (fallback: boolean) => Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(fallback)))

/**
 * What the cluster runs beyond the check's default, each as `parley check
 * causal-broadcast` names it: broadcasting on request rather than on the
 * checker's `broadcast` timer, and the digests (`--sync`). Both as the
 * default check has them run its reducer, as `parley trace replay` does.
 */
export const CausalHostOptions = Schema.Struct({ broadcastTimer: flag(false), sync: flag(true) })

const PostBody = Schema.Struct({
  text: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(maxTextLength)),
  inReplyTo: Schema.optionalKey(MessageId)
})

const Count = (min: number, max: number) =>
  Schema.String.check(Schema.isPattern(/^[0-9]{1,9}$/)).pipe(
    Schema.decodeTo(Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max })), SchemaTransformation.numberFromString)
  )
const ListParams = Schema.Struct({ from: Schema.optionalKey(Count(0, 999_999_999)), limit: Schema.optionalKey(Count(1, maxListed)) })

export const CausalStatus = Schema.Struct({
  /** How many messages of each origin this node delivered. */
  delivered: VClock,
  messages: Schema.Int,
  /** Messages that arrived before one they depend on, and wait for it. */
  pending: Schema.Int
})
export type CausalStatus = typeof CausalStatus.Type

type CausalAnswer = typeof CausalResponse.Type

// The success answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const ShownMessage = Schema.Struct({
  id: Schema.String.annotate({ description: "origin#seq, as inReplyTo names it" }),
  ...Struct.omit(Broadcast.fields, ["_tag"])
})
const PostedMessage = ShownMessage.annotate({ description: "the message broadcast, with its vector clock" }).pipe(HttpApiSchema.status(201))
const Delivered = Schema.Struct({
  messages: Schema.Array(ShownMessage),
  delivered: Schema.Int.annotate({ description: "how many messages this node delivered in all" }),
  pending: Schema.Int.annotate({ description: "messages that wait for one they depend on" }),
  next: Schema.NullOr(Schema.Int).annotate({ description: "the from of the next page; null when this is the last" })
})

/** A message as clients read it: its id beside the fields. */
const shown = (m: Broadcast) => ({ id: messageId(m), origin: m.origin, seq: m.seq, clock: m.clock, text: m.text, inReplyTo: m.inReplyTo })

/** Each route expects one kind of answer; another means the reducer and the API disagree, a bug worth a 500 that says so. */
const unexpected = (answer: CausalAnswer): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

const routes = [
  clientRoute({
    method: "POST",
    path: "/v1/messages",
    params: Schema.Struct({}),
    body: jsonBody(PostBody, `{"text": string of 1 to ${maxTextLength} characters, "inReplyTo"?: a message id such as "n1#3"}`),
    request: (_, body, seq): CausalRequest => ({ _tag: "Post", seq, text: body.text, inReplyTo: body.inReplyTo ?? null }),
    reply: (_, answer: CausalAnswer): HttpReply => {
      if (answer._tag === "NotPosted") return { status: 409, body: { error: answer.reason } }
      return answer._tag === "Posted" ? { status: 201, body: shown(answer.message) } : unexpected(answer)
    },
    summary: "Post a message to the group, in reply to one if inReplyTo names it: 201; 409 {error} when this node has not delivered that one",
    answer: PostedMessage
  }),
  clientRoute({
    method: "GET",
    path: "/v1/messages",
    params: ListParams,
    body: noBody,
    request: ({ from, limit }, _, seq): CausalRequest => ({ _tag: "List", seq, from: from ?? 0, limit: limit ?? 100 }),
    reply: ({ from }, answer: CausalAnswer): HttpReply => {
      if (answer._tag !== "Listed") return unexpected(answer)
      const next = (from ?? 0) + answer.messages.length
      return {
        status: 200,
        body: { messages: answer.messages.map(shown), delivered: answer.delivered, pending: answer.pending, next: next < answer.delivered ? next : null }
      }
    },
    summary: "The messages this node delivered, in its delivery order, each with its vector clock, a page at a time",
    answer: Delivered
  })
]

export const causalHosted = hostedSpec({
  name: "causal-broadcast",
  message: CausalMessage,
  request: CausalRequest,
  response: CausalResponse,
  durable: CausalDurable,
  options: CausalHostOptions,
  // The checker's variants run here too, to see their bug happen: fifo-only delivers a reply before what it answers.
  variants: causalBroadcastSpec.variants,
  actor: (_nodes, options, variant) =>
    causalActor({ ...causalBroadcast, ...causalBroadcastSpec.bugsOf(variant ?? "correct"), broadcastTimer: options.broadcastTimer, sync: options.sync }),
  timerKind: (timer: CausalTimer) => timer,
  timers: causalTimerDefaults,
  api: {
    routes,
    status: {
      schema: CausalStatus,
      of: (s: CausalState): CausalStatus => ({ delivered: s.delivered, messages: s.log.length, pending: s.pending.length })
    },
    answers: (response) => response.seq,
    outcome: (response) => ({ _tag: "Answer", answer: response }),
    ready: everyNodeAnswers
  }
})
