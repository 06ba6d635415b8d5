import { clientRoute, noBody, reply, step } from "@parley/core"
import type { HostedSpec } from "@parley/core"
import { Effect, Layer, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { PeerKey } from "../src/credentials.ts"
import { nodeLayer } from "../src/host.ts"
import { NodeConfig } from "../src/node-config.ts"
import { freeBasePort } from "../src/ports.ts"
import { Storage } from "../src/storage.ts"

/**
 * A spec that is neither a key-value store nor led by anyone: named
 * counters on one node, with a path parameter, a query parameter, a 404 of
 * its own and no forwarding. The runtime must host it from its API alone.
 */
const Counters = Schema.Record(Schema.String, Schema.Int)
type Counters = typeof Counters.Type
const CounterRequest = Schema.Struct({ seq: Schema.Int, name: Schema.String, by: Schema.Int })
type CounterRequest = typeof CounterRequest.Type
const CounterResponse = Schema.Struct({ seq: Schema.Int, total: Schema.NullOr(Schema.Int) })
type CounterResponse = typeof CounterResponse.Type
const CounterStatus = Schema.Struct({ counters: Schema.Int })
type CounterStatus = typeof CounterStatus.Type

const CounterTotal = Schema.Struct({ name: Schema.String, total: Schema.Int })

const totalReply = (name: string, total: number | null) =>
  total === null ? { status: 404, body: { error: `no counter ${JSON.stringify(name)}` } } : { status: 200, body: { name, total } }

const countersHosted: HostedSpec<Counters, never, never, CounterRequest, CounterResponse, Counters, {}, number | null, CounterStatus> = {
  name: "counters",
  message: Schema.Never,
  request: CounterRequest,
  response: CounterResponse,
  durable: Counters,
  options: Schema.Struct({}),
  actor: () => ({
    init: () => step({}),
    onMessage: (s) => step(s),
    onTimer: (s) => step(s),
    onRequest: (s, client, { seq, name, by }) => {
      const total = by === 0 ? (s[name] ?? null) : (s[name] ?? 0) + by
      return step(total === null || by === 0 ? s : { ...s, [name]: total }, [reply(client, { seq, total })])
    },
    durable: (s) => s,
    recover: (_, d) => step(d)
  }),
  timerKind: () => "none",
  timers: {},
  api: {
    routes: [
      clientRoute({
        method: "POST",
        path: "/v1/counters/{name}/add",
        params: Schema.Struct({ name: Schema.String, by: Schema.NumberFromString.check(Schema.isInt()) }),
        body: noBody,
        request: ({ name, by }, _, seq) => ({ seq, name, by }),
        reply: ({ name }, total) => totalReply(name, total),
        summary: "Add to a counter",
        answer: CounterTotal
      }),
      clientRoute({
        method: "GET",
        path: "/v1/counters/{name}",
        params: Schema.Struct({ name: Schema.String }),
        body: noBody,
        request: ({ name }, _, seq) => ({ seq, name, by: 0 }),
        reply: ({ name }, total) => totalReply(name, total),
        summary: "Read a counter (404 when it was never added to)",
        answer: CounterTotal
      })
    ],
    status: { schema: CounterStatus, of: (s) => ({ counters: Object.keys(s).length }) },
    answers: (response) => response.seq,
    outcome: (response) => ({ _tag: "Answer", answer: response.total })
  }
}

const base = await Effect.runPromise(freeBasePort(1))
const self = { id: "n1", client: `127.0.0.1:${base + 1}`, peer: `127.0.0.1:${base + 101}` }

const oneNode = nodeLayer(Storage.memory({ value: undefined })).pipe(Layer.provide(PeerKey.layer("00".repeat(32))), Layer.provide(Layer.succeed(NodeConfig, NodeConfig.of({
  self: self.id,
  nodes: [self],
  hosted: countersHosted,
  options: {},
  timers: {}
}))))

const call = (method: string, path: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://${self.client}${path}`, { method, headers: { connection: "close" } })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  })

/** The part of an OpenAPI operation the test reads. */
interface Operation {
  readonly operationId: string
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required: boolean }>
  readonly requestBody?: unknown
  readonly responses: Record<string, { readonly content: Record<string, { readonly schema: { readonly properties?: unknown } }> }>
}

describe("a spec hosted from its API alone", () => {
  it("serves its routes, its status and its refusals", async () => {
    const answers = await Effect.runPromise(
      Effect.gen(function*() {
        return [
          yield* call("POST", "/v1/counters/a/add?by=2"),
          yield* call("POST", "/v1/counters/a/add?by=3"),
          yield* call("GET", "/v1/counters/a"),
          yield* call("GET", "/v1/counters/b"),
          yield* call("GET", "/v1/status"),
          yield* call("POST", "/v1/counters/a/add?by=two"),
          yield* call("PUT", "/v1/counters/a"),
          yield* call("GET", "/v1/kv/a"),
          yield* call("GET", "/v1/openapi.json")
        ]
      }).pipe(Effect.provide(oneNode), Effect.scoped)
    )
    expect(answers).toMatchObject([
      { status: 200, body: { name: "a", total: 2 } },
      { status: 200, body: { name: "a", total: 5 } },
      { status: 200, body: { name: "a", total: 5 } },
      { status: 404, body: { error: `no counter "b"` } },
      { status: 200, body: { id: "n1", counters: 1, blocked: [] } },
      { status: 400, body: { error: expect.stringMatching(/^the request does not fit \/v1\/counters\/\{name\}\/add: .*by/) } },
      { status: 405, body: { error: "PUT is not allowed on /v1/counters/a; use GET" } },
      { status: 404, body: { error: "no route /v1/kv/a; routes: /v1/counters/{name}/add, /v1/counters/{name}, /v1/status" } },
      { status: 200, body: { openapi: "3.1.0", info: { title: "parley counters node" } } }
    ])
    const { paths } = answers.at(-1)!.body as { paths: Record<string, Record<string, Operation>> }
    const add = paths["/v1/counters/{name}/add"]!.post!
    expect(add.operationId).toBe("counters.postV1CountersNameAdd")
    // The template's name is the path's parameter; the rest of the route's params are the query's, beside the host's timeout.
    expect(add.parameters.map(({ name, in: where, required }) => ({ name, in: where, required }))).toEqual(expect.arrayContaining([
      { name: "name", in: "path", required: true },
      { name: "by", in: "query", required: true },
      { name: "timeout", in: "query", required: false },
      { name: "Parley-Client", in: "header", required: false }
    ]))
    expect(Object.keys(add.responses).sort()).toEqual(["200", "400", "401", "413", "429", "503"])
    expect(add.requestBody).toBeUndefined()
    expect(Object.keys(paths["/v1/counters/{name}"]!)).toEqual(["get"])
    const status = paths["/v1/status"]!.get!.responses["200"]!.content["application/json"]!.schema
    expect(status.properties).toMatchObject({ id: { type: "string" }, counters: { type: "integer" }, blocked: { type: "array" } })
  })
})
