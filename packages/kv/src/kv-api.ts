/**
 * The replicated key-value store's HTTP client API, as a hosted spec
 * declares it (Raft's, and Multi-Paxos's):
 *   GET    /v1/kv/{key}               200 with the value, 404 when absent
 *   PUT    /v1/kv/{key}               body is the value; 200 once committed
 *   DELETE /v1/kv/{key}
 *   POST   /v1/kv/{key}/cas           body {"expected": string | null, "value": string}
 * Any node takes any request and hands it to the leader it knows.
 */
import { clientRoute, jsonBody, noBody, textBody } from "@parley/core"
import type { ClientRoute, HostedApi, HttpReply, NodeId, Outcome, StatusDeclaration, StatusFields } from "@parley/core"
import { Schema } from "effect"
import type { KvInput, KvOutput, KvRequest, KvResponse } from "./kv.ts"

const KeyParams = Schema.Struct({ key: Schema.String })

const CasBody = Schema.Struct({ expected: Schema.NullOr(Schema.String), value: Schema.String })

// The success answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const ValueRead = Schema.Struct({ key: Schema.String, value: Schema.String })
const Written = Schema.Struct({ key: Schema.String })
const Deleted = Schema.Struct({ key: Schema.String, deleted: Schema.Boolean.annotate({ description: "whether the key was there" }) })
const Swapped = Schema.Struct({
  key: Schema.String,
  swapped: Schema.Boolean,
  value: Schema.NullOr(Schema.String).annotate({ description: "the key's value after the call: the new one if swapped, else the one that did not match" })
})

/** An output of another kind than the route's request makes: the reducer and the routes out of step, a server error that says so. */
const unexpected = (output: KvOutput): HttpReply => ({ status: 500, body: { error: `unexpected answer ${output._tag}` } })

const request = (seq: number, op: KvInput): KvRequest => ({ seq, op })

export const kvRoutes: ReadonlyArray<ClientRoute<KvRequest, KvOutput>> = [
  clientRoute({
    method: "GET",
    path: "/v1/kv/{key}",
    params: KeyParams,
    body: noBody,
    request: ({ key }, _, seq) => request(seq, { _tag: "Get", key }),
    reply: ({ key }, output) => {
      if (output._tag !== "Value") return unexpected(output)
      return output.value === null
        ? { status: 404, body: { error: `key ${JSON.stringify(key)} not found`, key } }
        : { status: 200, body: { key, value: output.value } }
    },
    summary: "Read a key, linearizably (404 {error, key} when it has no value)",
    answer: ValueRead
  }),
  clientRoute({
    method: "PUT",
    path: "/v1/kv/{key}",
    params: KeyParams,
    body: textBody,
    request: ({ key }, value, seq) => request(seq, { _tag: "Put", key, value }),
    reply: ({ key }, output) => (output._tag === "Written" ? { status: 200, body: { key } } : unexpected(output)),
    summary: "Write a key; the body is the value; answered once committed",
    answer: Written
  }),
  clientRoute({
    method: "DELETE",
    path: "/v1/kv/{key}",
    params: KeyParams,
    body: noBody,
    request: ({ key }, _, seq) => request(seq, { _tag: "Delete", key }),
    reply: ({ key }, output) => (output._tag === "Deleted" ? { status: 200, body: { key, deleted: output.existed } } : unexpected(output)),
    summary: "Delete a key",
    answer: Deleted
  }),
  clientRoute({
    method: "POST",
    path: "/v1/kv/{key}/cas",
    params: KeyParams,
    body: jsonBody(CasBody, `{"expected": string | null, "value": string}`),
    request: ({ key }, { expected, value }, seq) => request(seq, { _tag: "Cas", key, expected, value }),
    reply: ({ key }, output) =>
      output._tag === "Swapped" ? { status: 200, body: { key, swapped: output.ok, value: output.current } } : unexpected(output),
    summary: "Compare and set: write value if the key's value is expected (null: absent)",
    answer: Swapped
  })
]

export const kvOutcome = (response: KvResponse): Outcome<KvOutput> =>
  response._tag === "Done" ? { _tag: "Answer", answer: response.output } : { _tag: "Elsewhere", node: response.leader }

/**
 * The client API of a store replicated through a leader: a node that
 * knows the leader forwards a request there at once; one that does not
 * asks its own reducer, which redirects or takes it.
 */
export const replicatedKvApi = <S, St extends StatusFields>(
  leaderOf: (state: S) => NodeId | null,
  status: StatusDeclaration<S, St>
): HostedApi<S, KvRequest, KvResponse, KvOutput, St> => ({
  routes: kvRoutes,
  status,
  answers: (response) => response.seq,
  outcome: kvOutcome,
  forwarding: {
    target: (state) => leaderOf(state),
    unavailable: (lastLeader, timeoutMs) =>
      lastLeader === null
        ? `no leader was elected within ${timeoutMs} ms`
        : `the leader (last known: ${lastLeader}) did not commit the operation within ${timeoutMs} ms`
  }
})

/** The path of a key's routes, for clients. */
export const kvPath = (key: string): string => `/v1/kv/${encodeURIComponent(key)}`
