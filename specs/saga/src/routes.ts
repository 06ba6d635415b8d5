/**
 * A saga cluster's client API, orchestrated or choreographed, as data the
 * runtime serves. Saga routes go to the node that keeps sagas (the
 * orchestrator, the order service) from any node: a service answers
 * `Elsewhere` and the host hands the request on. A service's own routes
 * show its reservations and set its policy.
 *
 * - `POST /v1/sagas` with no body, or `{"id": "trip-7"}`: starts a saga and
 *   answers its id (201), or 200 when that id had started already (a retry).
 * - `GET /v1/sagas`: every saga's id and state.
 * - `GET /v1/sagas/{id}`: the saga as its spec shows it (404 for an
 *   unknown id).
 * - `GET /v1/reservations` (a service): its ledger, the sagas whose action
 *   it holds, and its policy.
 * - `PUT /v1/admin/policy` with `{"policy": "refuse"}` or `"accept"` (a
 *   service): how it decides requests from now on.
 */
import { clientRoute, everyNodeAnswers, jsonBody, noBody } from "@parley/core"
import type { AnswerSchema, HostedApi, HttpReply, RouteBody, StatusDeclaration, StatusFields } from "@parley/core"
import { Result, Schema, Struct } from "effect"
import { HttpApiSchema } from "effect/http-api"
import { LedgerEntry } from "./ledger.ts"
import { Policy, SagaId } from "./policy.ts"
import { SagaSummary } from "./requests.ts"
import type { SagaAnswer, SagaRequest } from "./requests.ts"

const StartBody = Schema.Struct({ id: Schema.optional(SagaId) })
const startShape = `{"id"?: string of letters, digits, ".", "_" or "-", at most 64}`
const decodeStart = Schema.decodeUnknownResult(StartBody)

/** An empty body starts a saga with an id the orchestrator makes up; otherwise the body is JSON naming the id. */
const startBody: RouteBody<string | null> = {
  kind: "text",
  shape: startShape,
  read: (raw) => {
    if (typeof raw !== "string") return Result.fail("the request body is not text")
    if (raw.trim() === "") return Result.succeed(null)
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      return Result.fail(`the body must be empty or JSON: ${startShape}`)
    }
    return Result.mapBoth(decodeStart(json), {
      onFailure: (error) => `the body does not fit ${startShape}: ${error.message.replace(/\s*\n\s*/g, " ")}`,
      onSuccess: (body) => body.id ?? null
    })
  }
}

const noParams = Schema.Struct({})
const byId = Schema.Struct({ id: SagaId })
const PolicyBody = Schema.Struct({ policy: Schema.Literals(["accept", "refuse"]) })

// The success answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
const Started = (created: boolean) => Schema.Struct({ id: SagaId, created: Schema.Literal(created) })
const Listed = Schema.Struct({ sagas: Schema.Array(SagaSummary) })
const Reservations = Schema.Struct({
  policy: Policy,
  holding: Schema.Array(Schema.String).annotate({ description: "the sagas whose action this service applied and did not compensate" }),
  ledger: Schema.Array(LedgerEntry.mapFields(Struct.omit(["step"]))).annotate({ description: "every effect this service applied, in order" })
})

const notHere = (answer: SagaAnswer): HttpReply | undefined =>
  answer._tag === "Elsewhere" ? { status: 404, body: { error: answer.reason } } : undefined

/** The answer a route did not expect: a reducer and its routes out of step, which the client should hear about as a server error. */
const unexpected = (answer: SagaAnswer): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

/** A service's own route at the node that keeps sagas is answered 404: no node there takes it. */
const elsewhere = "404 {error} at the node that keeps sagas"

/** The saga routes, `view` the Schema of a saga as the spec shows it (`GET /v1/sagas/{id}`). */
export const sagaRoutes = (view: AnswerSchema) => [
  clientRoute({
    method: "POST",
    path: "/v1/sagas",
    params: noParams,
    body: startBody,
    request: (_, saga, seq): SagaRequest => ({ _tag: "Start", seq, saga }),
    reply: (_, answer: SagaAnswer) =>
      notHere(answer) ?? (answer._tag === "Started"
        ? { status: answer.created ? 201 : 200, body: { id: answer.saga, created: answer.created } }
        : unexpected(answer)),
    summary: "Start a saga, with the id given or a new one: 201 when this call started it, 200 when that id had started (a retry)",
    answer: [Started(true).pipe(HttpApiSchema.status(201)), Started(false)]
  }),
  clientRoute({
    method: "GET",
    path: "/v1/sagas",
    params: noParams,
    body: noBody,
    request: (_, __, seq): SagaRequest => ({ _tag: "List", seq }),
    reply: (_, answer: SagaAnswer) =>
      notHere(answer) ?? (answer._tag === "Listed" ? { status: 200, body: { sagas: answer.sagas } } : unexpected(answer)),
    summary: "Every saga's id and state",
    answer: Listed
  }),
  clientRoute({
    method: "GET",
    path: "/v1/sagas/{id}",
    params: byId,
    body: noBody,
    request: ({ id }, _, seq): SagaRequest => ({ _tag: "Show", seq, saga: id }),
    reply: ({ id }, answer: SagaAnswer) => {
      if (answer._tag !== "Shown") return notHere(answer) ?? unexpected(answer)
      return answer.view === null ? { status: 404, body: { error: `no saga ${JSON.stringify(id)}` } } : { status: 200, body: answer.view }
    },
    summary: "A saga as it stands, step by step (404 when there is none by that id)",
    answer: view
  }),
  clientRoute({
    method: "GET",
    path: "/v1/reservations",
    params: noParams,
    body: noBody,
    request: (_, __, seq): SagaRequest => ({ _tag: "Ledger", seq }),
    reply: (_, answer: SagaAnswer) => notHere(answer) ?? (answer._tag === "LedgerShown" ? reservations(answer) : unexpected(answer)),
    summary: `A service's ledger, the sagas whose action it holds, and its policy (${elsewhere})`,
    answer: Reservations
  }),
  clientRoute({
    method: "PUT",
    path: "/v1/admin/policy",
    params: noParams,
    body: jsonBody(PolicyBody, `{"policy": "accept" | "refuse"}`),
    request: (_, { policy }, seq): SagaRequest => ({ _tag: "SetPolicy", seq, policy }),
    reply: (_, answer: SagaAnswer) => notHere(answer) ?? (answer._tag === "LedgerShown" ? reservations(answer) : unexpected(answer)),
    summary: `Set how a service decides requests from now on, accept or refuse; answers its reservations (${elsewhere})`,
    answer: Reservations
  })
]

/** A service's ledger: every effect in the order applied, and the sagas whose action stands uncompensated. */
const reservations = (answer: Extract<SagaAnswer, { _tag: "LedgerShown" }>): HttpReply => {
  const undone = new Set(answer.ledger.flatMap((entry) => (entry.op === "undo" ? [entry.saga] : [])))
  return {
    status: 200,
    body: {
      policy: answer.policy,
      holding: answer.ledger.flatMap((entry) => (entry.op === "do" && !undone.has(entry.saga) ? [entry.saga] : [])),
      ledger: answer.ledger.map(({ saga, op, key }) => ({ saga, op, key }))
    }
  }
}

export const sagaApi = <S, Res extends SagaAnswer, St extends StatusFields>(
  status: StatusDeclaration<S, St>,
  view: AnswerSchema
): HostedApi<S, SagaRequest, Res, SagaAnswer, St> => ({
  routes: sagaRoutes(view),
  status,
  answers: (response) => response.seq,
  outcome: (response) =>
    response._tag === "Elsewhere" && response.node !== null ? { _tag: "Elsewhere", node: response.node } : { _tag: "Answer", answer: response },
  // No node leads: the cluster is ready once the orchestrator and every service answer.
  ready: everyNodeAnswers,
  // A saga request at a service goes to the node that keeps sagas, which the service's own answer names.
  forwarding: {
    target: () => null,
    unavailable: (lastKnown, timeoutMs) =>
      `${lastKnown ?? "the node that keeps sagas"} did not answer within ${timeoutMs} ms; the request may yet take effect: ` +
      `retry it with the same saga id, which starts it at most once`
  }
})
