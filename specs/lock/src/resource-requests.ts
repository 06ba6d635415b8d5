/**
 * The protected resource as either lock cluster hosts it: a write or a read
 * of an entry becomes `runWrite` or a look, and the answer the entry as it
 * stands. Its routes:
 * - `PUT /v1/resource/{name}` `{"token": int, "value": string, "writer"?:
 *   string}`: 200 when the resource takes the write, 409 when its token is
 *   older than one it took for that name.
 * - `GET /v1/resource/{name}`: the entry's value, newest token, its last
 *   writes and how many it refused.
 */
import { clientRoute, jsonBody, noBody, reply, step } from "@parley/core"
import type { ClientId, ClientRoute, HttpReply, Step } from "@parley/core"
import { Schema } from "effect"
import { ByName, unexpected } from "./lock-routes.ts"
import { Token } from "./lock/messages.ts"
import { EntryView, Owner, ResourceAnswer, WriteValue } from "./lock/requests.ts"
import type { ResourceRequest } from "./lock/requests.ts"
import { entryOf, runWrite } from "./lock/resource.ts"
import type { ResourceState } from "./lock/resource.ts"

const entryView = (s: ResourceState, name: string): EntryView => entryOf(s, name) ?? { name, newest: 0, value: "", writes: [], rejected: 0 }

/** One write or read; `ignoreTokens` is the naive recipe's resource, which takes every write. */
export const resourceCall = (ignoreTokens: boolean, s: ResourceState, client: ClientId, request: ResourceRequest): Step<ResourceState, never, never, ResourceAnswer> => {
  if (request._tag === "Read") return step(s, [reply(client, { _tag: "ResourceAnswer", seq: request.seq, accepted: null, entry: entryView(s, request.name) })])
  const write = { name: request.name, writer: request.writer === "" ? client : request.writer, token: request.token, value: request.value }
  const { state, accepted } = runWrite(s, write, ignoreTokens)
  return step(state, [reply(client, { _tag: "ResourceAnswer", seq: request.seq, accepted, entry: entryView(state, request.name) })])
}

const WriteBody = Schema.Struct({ token: Token, value: WriteValue, writer: Schema.optional(Owner) })
const writeShape = `{"token": int from 1, "value": string of at most 65536, "writer"?: string}`
const isResourceAnswer = Schema.is(ResourceAnswer)

export const resourceRoutes = <A extends { readonly _tag: string }>(): ReadonlyArray<ClientRoute<ResourceRequest, A>> => [
  clientRoute({
    method: "PUT",
    path: "/v1/resource/{name}",
    params: ByName,
    body: jsonBody(WriteBody, writeShape),
    request: ({ name }, { token, value, writer }, seq): ResourceRequest => ({ _tag: "Write", seq, name, token, value, writer: writer ?? "" }),
    reply: ({ name }, answer: A): HttpReply => {
      if (!isResourceAnswer(answer)) return unexpected(answer._tag)
      if (answer.accepted !== false) return { status: 200, body: { accepted: true, entry: answer.entry } }
      return {
        status: 409,
        body: { accepted: false, entry: answer.entry, error: `stale token: the resource has taken token ${answer.entry.newest} for ${name}, and refuses older ones` }
      }
    },
    summary: "Write the protected resource's entry with a fencing token; 409 {accepted: false, entry, error} when the token is older than one it took",
    answer: Schema.Struct({ accepted: Schema.Literal(true), entry: EntryView.annotate({ description: "the entry after the write" }) })
  }),
  clientRoute({
    method: "GET",
    path: "/v1/resource/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): ResourceRequest => ({ _tag: "Read", seq, name }),
    reply: (_, answer: A) => (isResourceAnswer(answer) ? { status: 200, body: answer.entry } : unexpected(answer._tag)),
    summary: "Read the protected resource's entry: its value, newest token, last writes and how many it refused",
    answer: EntryView
  })
]
