/**
 * The client API's OpenAPI 3.1 description, served at
 * `GET /v1/openapi.json`: made by effect's HttpApi and OpenApi from the
 * hosted spec's routes (each route's Schemas: its parameters, its body, its
 * answer) and the host's own routes, so a user can load it into any OpenAPI
 * tool or generate a client from it.
 *
 * Only the description comes from HttpApi; requests are served by the
 * runtime's router (routes.ts), for two reasons. `npm run bench:http-layer`
 * (the HTTP layer alone, the same route and Schemas, wrk on loopback)
 * measured HttpApi at 1.5 to 1.9 times the router's CPU a request on a
 * quiet machine (107 vs 73 us at one connection, 60 vs 32 at 32; 0.77 and
 * 0.53 times its requests/s): some 5% more of a Raft leader's CPU a write
 * (0.6 ms). And a spec's `{name}` takes any text, slashes included (a key
 * such as `app/config`), where HttpApi's `:name` stops at a slash.
 */
import type { AnyHostedSpec, ClientRoute } from "@parley/core"
import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import type { HttpApiEndpoint as Endpoint } from "effect/http-api"
import { defaultTimeoutMs, maxTimeoutMs } from "./routes.ts"
import { clientHeader, seqHeader } from "./session-headers.ts"

/** Every refusal's body: what was wrong, in words. */
const Refusal = Schema.Struct({ error: Schema.String })
const refusal = (status: number, description: string) => Refusal.annotate({ description }).pipe(HttpApiSchema.status(status))

/** What any spec route may answer besides its own success answers. */
const callRefusals = [
  refusal(400, "The request does not fit the route: its parameters, its body, its session headers or its timeout"),
  refusal(401, "The cluster requires a client token (Authorization: Bearer) and none or another was given"),
  refusal(413, "The body is larger than a megabyte"),
  refusal(429, "Too many operations are in flight on this node"),
  Schema.Struct({
    error: Schema.String,
    outcome: Schema.Literal("unknown"),
    retry: Schema.String.annotate({ description: "How to retry so that the operation takes effect at most once" })
  })
    .annotate({ description: "No answer within the timeout (or no leader): the operation may still take effect" })
    .pipe(HttpApiSchema.status(503))
]

const sessionHeaders = {
  [clientHeader]: Schema.optionalKey(Schema.String.annotate({ description: "The client's session: a retry with the same client and seq takes effect at most once" })),
  [seqHeader]: Schema.optionalKey(Schema.String.annotate({ description: "The operation's sequence number in the client's session" }))
}

const timeoutQuery = {
  timeout: Schema.optionalKey(Schema.String.annotate({
    description: `How long to wait for the cluster's answer, in ms, 1 to ${maxTimeoutMs} (default ${defaultTimeoutMs}); then 503`
  }))
}

/** The template's `{name}`s, which HttpApi writes `:name` (and OpenAPI `{name}` again). */
const pathNames = (path: string): ReadonlyArray<string> => [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!)

/** A route's parameters split into the path's and the query's, by the template's names. */
const paramsOf = (route: ClientRoute<unknown, unknown>) => {
  // A spec's parameters are a Struct of strings; anything else is described by the template's names alone.
  const fields: Readonly<Record<string, Schema.Top>> = "fields" in route.params ? (route.params.fields as Readonly<Record<string, Schema.Top>>) : {}
  const inPath = pathNames(route.path)
  const path: Record<string, Schema.Top> = {}
  const query: Record<string, Schema.Top> = { ...timeoutQuery }
  for (const [name, schema] of Object.entries(fields)) (inPath.includes(name) ? path : query)[name] = schema
  for (const name of inPath) {
    path[name] = (path[name] ?? Schema.String).annotate({ description: `Any text, slashes included, percent-encoded (at most a kilobyte)` })
  }
  return { path, query }
}

const payloadOf = (route: ClientRoute<unknown, unknown>): Schema.Top | undefined => {
  switch (route.body.kind) {
    case "none":
      return undefined
    case "text":
      return Schema.String.pipe(HttpApiSchema.asText())
    case "json":
      return route.body.schema ?? Schema.Unknown
  }
}

/** An operation's id as code generators take it: `PUT /v1/kv/{key}` is `putV1KvKey`. */
const operationName = (route: ClientRoute<unknown, unknown>): string =>
  [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0).map((word) => word[0]!.toUpperCase() + word.slice(1))].join("")

const endpointOf = (route: ClientRoute<unknown, unknown>): Endpoint.Constraint => {
  const { path, query } = paramsOf(route)
  const payload = payloadOf(route)
  const endpoint = HttpApiEndpoint.make(route.method)(operationName(route), route.path.replace(/\{([^}]+)\}/g, ":$1") as `/${string}`, {
    params: path,
    query,
    headers: sessionHeaders,
    ...(payload === undefined ? {} : { payload }),
    success: route.answer,
    error: callRefusals
  })
  return endpoint.annotate(OpenApi.Summary, route.summary)
}

const Peers = Schema.Array(Schema.String)

/** `GET /v1/status`'s body: the spec's status fields (client-api.ts `status`) and the host's. */
const statusOf = (hosted: AnyHostedSpec): Schema.Top => {
  const spec = hosted.api.status.schema
  // A spec's status is a Struct; anything else is described by the host's fields alone.
  const specFields: Readonly<Record<string, Schema.Top>> = "fields" in spec ? (spec.fields as Readonly<Record<string, Schema.Top>>) : {}
  return Schema.Struct({
    id: Schema.String,
    ...specFields,
    variant: Schema.optionalKey(Schema.String.annotate({ description: "The known-buggy variant this node runs, if any" })),
    blocked: Peers.annotate({ description: "The nodes this node's traffic with is dropped (a partition)" }),
    heldLinks: Peers.annotate({ description: "The nodes this node keeps what it sends until released" }),
    forwarding: Schema.Number.annotate({ description: "Forwarded requests this node keeps the way back for" })
  }).annotate({ description: `This node's id, ${hosted.name}'s status fields and the host's` })
}

const hostGroup = (hosted: AnyHostedSpec) =>
  HttpApiGroup.make("host").add(
    HttpApiEndpoint.get("status", "/v1/status", { success: statusOf(hosted) }).annotate(OpenApi.Summary, "This node's status"),
    HttpApiEndpoint.post("partition", "/v1/admin/partition", {
      payload: Schema.Struct({ blocked: Peers }),
      success: Schema.Struct({ id: Schema.String, blocked: Peers }),
      error: callRefusals[0]!
    }).annotate(OpenApi.Summary, "Drop this node's traffic with the nodes named (none: heal)"),
    HttpApiEndpoint.post("hold", "/v1/admin/hold", {
      payload: Schema.Struct({ held: Peers }),
      success: Schema.Struct({ id: Schema.String, held: Peers }),
      error: callRefusals[0]!
    }).annotate(OpenApi.Summary, "Keep what this node sends the nodes named until a later call leaves them out"),
    HttpApiEndpoint.get("metrics", "/metrics", {
      success: Schema.String.pipe(HttpApiSchema.asText({ contentType: "text/plain; version=0.0.4" }))
    }).annotate(OpenApi.Summary, "The node's metrics, in Prometheus's text format"),
    HttpApiEndpoint.get("openapi", "/v1/openapi.json", {
      success: Schema.Unknown.annotate({ description: "This description" })
    }).annotate(OpenApi.Summary, "The client API's OpenAPI description")
  )

/** The OpenAPI description of a node of `hosted`: its spec's routes, then the host's. */
export const describeClientApi = (hosted: AnyHostedSpec): OpenApi.OpenAPISpec => {
  const [first, ...rest] = hosted.api.routes.map(endpointOf)
  const api = HttpApi.make(`parley-${hosted.name}`).add(hostGroup(hosted)).annotate(OpenApi.Title, `parley ${hosted.name} node`)
  if (first === undefined) return OpenApi.fromApi(api)
  return OpenApi.fromApi(api.add(HttpApiGroup.make(hosted.name).add(first, ...rest)))
}
