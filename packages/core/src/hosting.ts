/**
 * What the runtime needs, beyond the actor, to host a spec as a real
 * cluster: the Schemas of everything that crosses the process boundary (a
 * frame, a client request, a stored record, the cluster file's options),
 * the default delay of each timer kind, and the spec's client API as data.
 * Durations are configuration the host reads; the reducer never reads a
 * clock, and sees the time only where the spec asks the host to stamp it on
 * a request (`stampRequest`).
 *
 * The client API is the spec's own: the routes it serves (each with the
 * Schemas of what it decodes and how an answer becomes a status code and a
 * body), the fields of its status, and whether a node hands a request it
 * cannot take to another node, and to which. The runtime builds its HTTP
 * server from that and knows no spec's words.
 */
import { Result, Schema } from "effect"
import type { Actor, NodeId } from "./actor.ts"
import type { Readiness, ReportedStatus } from "./readiness.ts"

/** A timer's delay in milliseconds, drawn uniformly from [minMs, maxMs] each time the timer is set. */
export interface TimerRange {
  readonly minMs: number
  readonly maxMs: number
}

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH"

/** What the runtime sends back: a status code and a body it writes as JSON. */
export interface HttpReply {
  readonly status: number
  readonly body: unknown
}

/**
 * How a route reads its request body: `kind` says what the runtime hands
 * `read` (nothing, the UTF-8 text, or the parsed JSON), and `read` decodes
 * that, or says why it does not fit.
 */
export interface RouteBody<B> {
  readonly kind: "none" | "text" | "json"
  /** What a JSON body must look like, as refusals name it, such as `{"value": string}`; empty for other kinds. */
  readonly shape: string
  /** A JSON body's Schema, for the API's description (`GET /v1/openapi.json`). */
  readonly schema?: Schema.Top
  read(raw: unknown): Result.Result<B, string>
}

export const noBody: RouteBody<undefined> = { kind: "none", shape: "", read: () => Result.succeed(undefined) }

export const textBody: RouteBody<string> = {
  kind: "text",
  shape: "",
  read: (raw) => (typeof raw === "string" ? Result.succeed(raw) : Result.fail("the request body is not text"))
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ")

/** A JSON body that decodes with `schema`; `shape` is how refusals describe it. */
export const jsonBody = <B>(schema: Schema.Codec<B, unknown>, shape: string): RouteBody<B> => {
  const decode = Schema.decodeUnknownResult(schema)
  return {
    kind: "json",
    shape,
    schema,
    read: (raw) => Result.mapError(decode(raw), (error) => `the body does not fit ${shape}: ${oneLine(error.message)}`)
  }
}

/** A success answer's body: JSON, decoded with no services. */
export type AnswerSchema = Schema.Codec<unknown, unknown>

/**
 * One route as a spec declares it. `path` is a template such as
 * `/v1/orders/{id}/cancel`: a `{name}` matches any text up to what follows it
 * (slashes included), is percent-decoded, and may be neither empty nor
 * longer than the runtime's limit. `params` decodes the path's parameters
 * together with the query's, each a string.
 */
export interface RouteDeclaration<P, B, Req, A> {
  readonly method: HttpMethod
  readonly path: string
  readonly params: Schema.Codec<P, unknown>
  readonly body: RouteBody<B>
  /** The reducer's request for a call; `seq` is the host's sequence number for it, the same on every retry and forward. */
  request(params: P, body: B, seq: number): Req
  /** The HTTP answer to a call, from the reducer's answer. */
  reply(params: P, answer: A): HttpReply
  /** What the route does, in a line, as its users would say it, for the API's description; a refusal of its own (a 404, a 409) is named here. */
  readonly summary: string
  /**
   * The JSON body of the route's success answer, exactly as `reply` writes
   * it, for the API's description (`GET /v1/openapi.json`). Its status is 200
   * unless the Schema names another (effect's `HttpApiSchema.status`); a route
   * with two success statuses declares a Schema for each.
   */
  readonly answer: AnswerSchema | ReadonlyArray<AnswerSchema>
}

/** A decoded call on a route: the request for the reducer, and how its answer is told. */
export interface RouteCall<Req, A> {
  request(seq: number): Req
  reply(answer: A): HttpReply
}

/** A route as the runtime serves it: the declaration with its parameter and body types closed over. */
export interface ClientRoute<Req, A> {
  readonly method: HttpMethod
  readonly path: string
  readonly body: RouteBody<unknown>
  /** The declaration's Schema of the path's and the query's parameters, for the API's description. */
  readonly params: Schema.Top
  readonly summary: string
  readonly answer: AnswerSchema | ReadonlyArray<AnswerSchema>
  /** A call from the route's parameters and its body as `body.kind` reads it; a string says why they do not fit. */
  call(params: Readonly<Record<string, string>>, body: unknown): RouteCall<Req, A> | string
}

export const clientRoute = <P, B, Req, A>(declaration: RouteDeclaration<P, B, Req, A>): ClientRoute<Req, A> => {
  const decodeParams = Schema.decodeUnknownResult(declaration.params)
  return {
    method: declaration.method,
    path: declaration.path,
    body: declaration.body,
    params: declaration.params,
    summary: declaration.summary,
    answer: declaration.answer,
    call: (rawParams, rawBody) => {
      const params = decodeParams(rawParams)
      if (Result.isFailure(params)) return `the request does not fit ${declaration.path}: ${oneLine(params.failure.message)}`
      const body = declaration.body.read(rawBody)
      if (Result.isFailure(body)) return body.failure
      return {
        request: (seq) => declaration.request(params.success, body.success, seq),
        reply: (answer) => declaration.reply(params.success, answer)
      }
    }
  }
}

/** What a reducer's response means to the host: the answer to the client, or that another node must take the request. */
export type Outcome<A> =
  | { readonly _tag: "Answer"; readonly answer: A }
  /** `node` is the one this node believes can take it, if it knows one. */
  | { readonly _tag: "Elsewhere"; readonly node: NodeId | null }

/** What `GET /v1/status` reports of a node's state, beside the id and the blocked nodes the runtime adds. */
export type StatusFields = Readonly<Record<string, unknown>>

export interface StatusDeclaration<S, St extends StatusFields> {
  readonly schema: Schema.Codec<St, unknown>
  of(state: S): St
}

/** For a spec whose nodes hand requests on (to the node that orders them, to the one that owns what they touch): to which, and what to say when none answered. */
export interface Forwarding<S, Req> {
  /** The node to hand `request` to at once, by this node's state; null to give it to this node's reducer. */
  target(state: S, request: Req): NodeId | null
  /** The refusal when no answer came within `timeoutMs`; `lastKnown` is the node last named to take the request. */
  unavailable(lastKnown: NodeId | null, timeoutMs: number): string
}

export interface HostedApi<S, Req, Res, A, St extends StatusFields> {
  readonly routes: ReadonlyArray<ClientRoute<Req, A>>
  readonly status: StatusDeclaration<S, St>
  /** Which of a client's requests `response` answers: the `seq` it was made with. */
  answers(response: Res): number
  outcome(response: Res): Outcome<A>
  /** Absent: a node serves only what its own reducer answers, and follows no `Elsewhere`. */
  readonly forwarding?: Forwarding<S, Req>
  /**
   * When a local cluster is ready for clients, from every node's status
   * (`parley cluster up` also waits for every node to answer). Absent:
   * `leaderAgreed`, a majority naming one leader.
   */
  ready?(nodes: ReadonlyArray<ReportedStatus<St>>): Readiness
}

/**
 * The nodes of a spec whose nodes play fixed roles, as ids: which role a
 * node plays is its id in the cluster file (data), as in the spec's own
 * systems, never code in the runtime.
 */
export interface NodeLayout {
  /** What `parley cluster up` counts, such as "participants". */
  readonly counts: string
  /** The ids of a local cluster of `count`. */
  ids(count: number): ReadonlyArray<NodeId>
  /** Why a cluster file's ids do not fit the roles, or undefined. */
  check(ids: ReadonlyArray<NodeId>): string | undefined
}

export interface HostedSpec<S, M, T, Req, Res, D, O, A = unknown, St extends StatusFields = StatusFields> {
  readonly name: string
  readonly message: Schema.Codec<M, unknown>
  readonly request: Schema.Codec<Req, unknown>
  readonly response: Schema.Codec<Res, unknown>
  readonly durable: Schema.Codec<D, unknown>
  /** The cluster file's `options` for this spec; every field has a default, so `{}` decodes. */
  readonly options: Schema.Codec<O, unknown>
  /**
   * Known-buggy variants the runtime may host for demonstration (a cluster
   * file's `variant`), as `parley list` names them; absent: none.
   */
  readonly variants?: ReadonlyArray<{ readonly name: string; readonly description: string }>
  /** `variant` is one of `variants` when the cluster runs a known-buggy one; undefined for the correct algorithm. */
  actor(nodes: ReadonlyArray<NodeId>, options: O, variant?: string): Actor<S, M, T, Req, Res, D>
  /** Absent: any ids, and a local cluster of N nodes is `n1`…`nN`. */
  readonly layout?: NodeLayout
  /** The name of a timer's kind, under which its delay is configured. */
  timerKind(timer: T): string
  readonly timers: Readonly<Record<string, TimerRange>>
  /**
   * Timers only the model's environment fires, by kind, each with what a
   * cluster's user does instead (Raft's `add-member`: `parley cluster add`);
   * a host never arms them, so they have no range in `timers`, and a cluster
   * file that sets one is refused with that sentence. Absent: none.
   */
  readonly environmentTimers?: Readonly<Record<string, string>>
  readonly api: HostedApi<S, Req, Res, A, St>
  /**
   * How a request and a response print in `parley validate`'s traces, for a
   * spec whose hosted requests are more than its checked spec's (Raft's
   * membership changes beside the store's operations). Absent: the checked
   * spec's.
   */
  formatRequest?(request: Req): string
  formatResponse?(response: Res): string
  /**
   * The checked spec's properties that do not judge a cluster run with these
   * options, each with why: `parley validate` leaves them out and says so
   * (Raft's `ElectableCompleteness` counts majorities of the first
   * configuration, which a cluster taking membership changes does not keep).
   * Absent: none.
   */
  unjudgedProperties?(options: O): ReadonlyArray<{ readonly property: string; readonly why: string }>
  /**
   * The request as this node's reducer takes it, given the host's clock as it
   * hands the request over (milliseconds since the epoch). The clock reaches a
   * reducer only as data on a request, so a model, which never stamps, never
   * sees one. Absent: requests go in as they came.
   */
  stampRequest?(request: Req, nowMs: number): Req
  /**
   * Whether a message may leave while the durable state of the step that
   * sent it is still being saved, rather than after: a node's own durable
   * state from earlier batches is always saved first, and its replies and
   * every other message still wait for the save. Raft's leader says yes to
   * AppendEntries, so its disk write runs in parallel with the followers'
   * (thesis §10.2.1, etcd's leader): the entries it sends may be lost on
   * its own disk if it crashes, but it counts itself towards a commit only
   * in a later batch, after its save, and a crash sends it to a later term,
   * so no two logs hold different entries at one index in one term.
   * Absent: every message waits for the save (the Actor contract's rule).
   */
  sendsBeforeSave?(message: M): boolean
}

/**
 * A hosted spec, its type parameters inferred from its Schemas, its actor and
 * its API, so none is written by hand.
 */
export const hostedSpec = <S, M, T, Req, Res, D, O, A, St extends StatusFields>(
  spec: HostedSpec<S, M, T, Req, Res, D, O, A, St>
): HostedSpec<S, M, T, Req, Res, D, O, A, St> => spec

/** Erased where hosted specs are listed by name; each is typed where it is defined. */
export type AnyHostedSpec = HostedSpec<unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, StatusFields>
