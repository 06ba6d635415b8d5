/**
 * The Dynamo-style store as the runtime hosts it: every node a replica
 * running the reducer the checker explores (bugs off unless a variant is
 * asked for), each coordinating the writes it is sent. Its API:
 *   GET /v1/kv/{key}                     200 {key, siblings: [{value, clock}], context}; 404 when the key has no version here
 *   PUT /v1/kv/{key}?context=n1:2,n2:1   body is the value: 200 {key, value, clock, context} once stored at this
 *                                        replica; it supersedes every version the context covers
 * A context is a vector clock as text, `node:counter` pairs joined by
 * commas; a read's context names every sibling it returned, so a write
 * made with it resolves them. Without a context a write supersedes nothing.
 * Replication is resent each second until acknowledged (`--sync`).
 */
import { clientRoute, everyNodeAnswers, hostedSpec, noBody, textBody } from "@parley/core"
import type { HttpReply } from "@parley/core"
import { bucketCount, bucketsFlat } from "@parley/kv"
import { Effect, Schema, SchemaGetter } from "effect"
import { VClock } from "../vclock.ts"
import { RegisterDurable, RegisterMessage, RegisterRequest, RegisterResponse } from "./messages.ts"
import type { RegisterTimer } from "./messages.ts"
import type { Sibling } from "./messages.ts"
import { replicaActor } from "./replica.ts"
import type { ReplicaState } from "./replica.ts"
import { clockOf, contextOf, dynamoRegister } from "./siblings.ts"
import { dynamoRegisterSpec } from "./spec.ts"

/** A vector clock as text: `n1:2,n2:1`, nodes in order; the empty clock is the empty text. */
export const formatContext = (clock: VClock): string =>
  Object.keys(clock).sort().map((node) => `${node}:${clock[node]}`).join(",")

const contextPattern = /^([^\s:,]{1,64}:[1-9][0-9]{0,14})(,[^\s:,]{1,64}:[1-9][0-9]{0,14}){0,255}$/

/** A context from its text: at most 256 `node:counter` pairs, each node once, each counter a whole number from 1. */
export const ContextText = Schema.String.check(
  Schema.makeFilter((text) =>
    text === "" || contextPattern.test(text) ? true : `a context is node:counter pairs joined by commas, such as n1:2,n2:1; got ${JSON.stringify(text)}`
  ),
  Schema.makeFilter((text) => {
    const nodes = text === "" ? [] : text.split(",").map((pair) => pair.split(":")[0])
    return new Set(nodes).size === nodes.length ? true : `a context names each node once; got ${JSON.stringify(text)}`
  })
).pipe(
  Schema.decodeTo(Schema.Record(Schema.String, Schema.Int), {
    decode: SchemaGetter.transform((text: string) =>
      Object.fromEntries(text === "" ? [] : text.split(",").map((pair) => [pair.split(":")[0]!, Number(pair.split(":")[1])]))
    ),
    encode: SchemaGetter.transform(formatContext)
  })
)

const KeyParams = Schema.Struct({ key: Schema.String })
const PutParams = Schema.Struct({ key: Schema.String, context: Schema.optionalKey(ContextText) })

export const DynamoStatus = Schema.Struct({
  /** Keys with a version here, and those of them with two or more concurrent siblings. */
  keys: Schema.Int,
  conflicted: Schema.Int
})
export type DynamoStatus = typeof DynamoStatus.Type

type DynamoAnswer = typeof RegisterResponse.Type

// The 200 answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const Context = Schema.String.annotate({ description: "a vector clock as text, node:counter pairs joined by commas: a write with it supersedes what it covers" })
const Siblings = Schema.Struct({
  key: Schema.String,
  siblings: Schema.Array(Schema.Struct({ value: Schema.String, clock: VClock })).annotate({ description: "the concurrent versions this replica holds" }),
  context: Context.annotate({ description: "covers every sibling: a write with it resolves them" })
})
const Stored = Schema.Struct({ key: Schema.String, value: Schema.String, clock: VClock, context: Context })

const shown = (s: Sibling) => ({ value: s.value, clock: clockOf(s) })

/** Each route expects one kind of answer; another means the reducer and the API disagree, a bug worth a 500 that says so. */
const unexpected = (answer: DynamoAnswer): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

const routes = [
  clientRoute({
    method: "GET",
    path: "/v1/kv/{key}",
    params: KeyParams,
    body: noBody,
    request: ({ key }, _, seq): RegisterRequest => ({ _tag: "Get", seq, key }),
    reply: ({ key }, answer: DynamoAnswer): HttpReply => {
      if (answer._tag !== "GetOk") return unexpected(answer)
      if (answer.siblings.length === 0) return { status: 404, body: { error: `key ${JSON.stringify(key)} not found`, key, context: "" } }
      return { status: 200, body: { key, siblings: answer.siblings.map(shown), context: formatContext(contextOf(answer.siblings)) } }
    },
    summary: "Read a key at this replica: its concurrent siblings and the context that covers them (404 {error, key, context} when it has none)",
    answer: Siblings
  }),
  clientRoute({
    method: "PUT",
    path: "/v1/kv/{key}",
    params: PutParams,
    body: textBody,
    request: ({ key, context }, value, seq): RegisterRequest => ({ _tag: "Put", seq, key, value, context: context ?? {} }),
    reply: ({ key }, answer: DynamoAnswer): HttpReply => {
      if (answer._tag !== "PutOk") return unexpected(answer)
      return { status: 200, body: { key, value: answer.value, clock: answer.clock, context: formatContext(answer.clock) } }
    },
    summary: "Write a key at this replica; the body is the value; it supersedes every version ?context covers (none without one)",
    answer: Stored
  })
]

export const dynamoHosted = hostedSpec({
  name: "dynamo-register",
  message: RegisterMessage,
  request: RegisterRequest,
  response: RegisterResponse,
  durable: RegisterDurable,
  /** `sync: false` runs the reducer of `parley check dynamo-register` without `--sync`, as `parley trace replay` does. */
  options: Schema.Struct({ sync: Schema.Boolean.pipe(Schema.withDecodingDefault(Effect.succeed(true))) }),
  // The checker's variants run here too, to see their bug happen: last-writer-wins drops a concurrent write.
  variants: dynamoRegisterSpec.variants,
  actor: (_nodes, options, variant) => replicaActor({ ...dynamoRegister, ...dynamoRegisterSpec.bugsOf(variant ?? "correct") }, { sync: options.sync }),
  timerKind: (timer: RegisterTimer) => timer,
  // Each second a replica sends again what its peers have not acknowledged.
  timers: { sync: { minMs: 1000, maxMs: 1000 } },
  api: {
    routes,
    status: {
      schema: DynamoStatus,
      of: (s: ReplicaState): DynamoStatus => ({
        keys: bucketCount(s.store),
        conflicted: Object.values(bucketsFlat(s.store)).filter((siblings) => siblings.length > 1).length
      })
    },
    answers: (response) => response.seq,
    outcome: (response) => ({ _tag: "Answer", answer: response }),
    ready: everyNodeAnswers
  }
})
