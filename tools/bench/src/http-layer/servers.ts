/**
 * The two HTTP layers `bench:http-layer` compares, one a process, serving
 * the same route: `PUT /v1/kv/{key}` with a JSON body `{"value": string}`,
 * answered at once with `{"key", "revision"}` (no reducer, no cluster: the
 * layer alone).
 *   runtime  node:http with the runtime's own router and body reading
 *            (`makeRouter`, a spec's `ClientRoute`), as `client-api.ts`
 *            serves a node's clients;
 *   httpapi  effect's HttpApi on `@effect/platform-node`, as
 *            `parley explore` serves its API.
 * Usage: servers.ts runtime|httpapi PORT; prints "listening" when it is.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { clientRoute, jsonBody } from "@parley/core"
import { makeRouter } from "@parley/runtime"
import { Effect, Layer, Schema } from "effect"
import { HttpRouter } from "effect/http"
import { HttpApi, HttpApiBuilder, HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { createServer } from "node:http"
import type { ServerResponse } from "node:http"

const Value = Schema.Struct({ value: Schema.String })
const Written = Schema.Struct({ key: Schema.String, revision: Schema.Number })

let revision = 0

const serveRuntime = (port: number): void => {
  const route = clientRoute({
    method: "PUT",
    path: "/v1/kv/{key}",
    params: Schema.Struct({ key: Schema.String }),
    body: jsonBody(Value, `{"value": string}`),
    request: (params, body, seq) => ({ ...params, ...body, seq }),
    reply: (params, answer: number) => ({ status: 200, body: { key: params.key, revision: answer } }),
    summary: "Write a key",
    answer: Written
  })
  const router = makeRouter([route])
  const answer = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
  }
  createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const found = router(request.method ?? "GET", request.url ?? "/")
      if (found._tag === "RouteError") return answer(response, found.status, { error: found.error })
      if (found._tag !== "Call") return answer(response, 404, { error: "not served here" })
      let raw: unknown
      try {
        raw = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        return answer(response, 400, { error: "the body must be JSON" })
      }
      const call = found.route.call(found.params, raw)
      if (typeof call === "string") return answer(response, 400, { error: call })
      call.request(++revision)
      const reply = call.reply(revision)
      answer(response, reply.status, reply.body)
    })
  }).listen(port, "127.0.0.1", () => console.log("listening"))
}

class KvGroup extends HttpApiGroup.make("kv").add(
  HttpApiEndpoint.put("write", "/v1/kv/:key", { params: { key: Schema.String }, payload: Value, success: Written })
) {}
class KvApi extends HttpApi.make("kv").add(KvGroup) {}

const serveHttpApi = (port: number): void => {
  const handlers = HttpApiBuilder.group(KvApi, "kv", (group) =>
    group.handle("write", ({ params }) => Effect.succeed({ key: params.key, revision: ++revision })))
  const server = HttpRouter.serve(HttpApiBuilder.layer(KvApi).pipe(Layer.provide(handlers)), { disableListenLog: true, disableLogger: true }).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" }))
  )
  Effect.runFork(Effect.scoped(Effect.gen(function*() {
    yield* Layer.build(server)
    console.log("listening")
    return yield* Effect.never
  })))
}

const [kind, port] = process.argv.slice(2)
if (kind === "runtime") serveRuntime(Number(port))
else if (kind === "httpapi") serveHttpApi(Number(port))
else throw new Error(`usage: servers.ts runtime|httpapi PORT, got ${kind}`)
