/**
 * The HTTP/1.1 JSON client API on the node's client address, built from the
 * hosted spec's routes (routes.ts adds the host's own). Every answer is
 * JSON; every refusal says what was wrong. A request the HTTP parser cannot
 * read gets a 400 and its connection is closed; the server goes on serving
 * everyone else.
 */
import { jsonBody } from "@parley/core"
import type { ClientRoute, NodeId, RouteBody } from "@parley/core"
import { Cause, Context, Effect, Layer, Result, Schema } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { AddressBook } from "./address-book.ts"
import { addressOf } from "./cluster-file.ts"
import { ClientSlots } from "./client-slots.ts"
import { ServerTls } from "./client-tls.ts"
import { ClientAuth, isLoopback, refusalOf } from "./credentials.ts"
import { CredentialError, ListenError } from "./errors.ts"
import { Faults } from "./faults.ts"
import { Forwarding } from "./forwarding.ts"
import { createHttpsServer } from "./https-server.ts"
import { executeCall } from "./executor.ts"
import { NodeMetrics } from "./metrics.ts"
import { entryOf, NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { describeClientApi } from "./api-description.ts"
import { makeRouter, maxBodyBytes } from "./routes.ts"
import { Replies } from "./replies.ts"
import { namedSession, unknownOutcome } from "./session-headers.ts"

/** Operations one node's API keeps in flight at once; more get 429. */
const maxInFlight = 4096

const partitionBody = jsonBody(Schema.Struct({ blocked: Schema.Array(Schema.String) }), `{"blocked": [node ids]}`)
const holdBody = jsonBody(Schema.Struct({ held: Schema.Array(Schema.String) }), `{"held": [node ids]}`)

interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers === undefined ? { status, body } : { status, body, headers }
const refusal = (status: number, error: string): Reply => json(status, { error })

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The body as a route of this kind reads it: nothing, the text, or the parsed JSON; or why it is neither. */
const rawBody = (route: RouteBody<unknown>, body: Buffer): Result.Result<unknown, string> => {
  if (route.kind === "none") return Result.succeed(undefined)
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return Result.fail(route.kind === "text" ? "the request body is not valid UTF-8" : `the body must be JSON: ${route.shape}`)
  }
  if (route.kind === "text") return Result.succeed(text)
  try {
    return Result.succeed(JSON.parse(text))
  } catch {
    return Result.fail(`the body must be JSON: ${route.shape}`)
  }
}

/** The fields `GET /v1/status` gives beside the spec's own. */
export const hostStatusFields: ReadonlyArray<string> = ["id", "variant", "blocked", "heldLinks", "forwarding"]

export class ClientApi extends Context.Service<ClientApi, { readonly address: string }>()("@parley/runtime/ClientApi") {
  static readonly layer = Layer.effect(ClientApi, Effect.gen(function*() {
    const config = yield* NodeConfig
    const node = yield* Node
    const faults = yield* Faults
    const metrics = yield* NodeMetrics
    const auth = yield* ClientAuth
    const tls = yield* ServerTls
    const forwarding = yield* Forwarding
    const replies = yield* Replies
    const context = yield* Effect.context<never>()
    const log = (effect: Effect.Effect<void>) => Effect.runForkWith(context)(effect)
    const incarnation = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
    const slots = new ClientSlots(`${config.self}.${incarnation}`, maxInFlight)
    const book = yield* AddressBook
    const router = makeRouter(config.hosted.api.routes)
    // Made at the first request for it, not at start: a restarted node serves sooner.
    let description: string | undefined
    const services = { config, node, forwarding, replies }

    /** One call of a spec's route, from its request to its reply; a promise, as the server's callbacks take it. */
    const call = async (
      route: ClientRoute<unknown, unknown>,
      params: Readonly<Record<string, string>>,
      timeoutMs: number,
      headers: http.IncomingHttpHeaders,
      body: Buffer
    ): Promise<Reply> => {
      const named = namedSession(headers)
      if (Result.isFailure(named)) return refusal(400, named.failure)
      const raw = rawBody(route.body, body)
      if (Result.isFailure(raw)) return refusal(400, raw.failure)
      const decoded = route.call(params, raw.success)
      if (typeof decoded === "string") return refusal(400, decoded)
      const lease = slots.lease(named.success)
      if (lease === undefined) return refusal(429, `more than ${maxInFlight} operations are in flight on this node`)
      try {
        const result = await executeCall(services, lease.slot, decoded, timeoutMs)
        if (result._tag === "Answer") return decoded.reply(result.answer)
        return json(503, unknownOutcome(result.reason, named.success), { "retry-after": "1" })
      } finally {
        slots.release(lease)
      }
    }

    /** The peers an admin body names, all of them nodes of this cluster (this one left out), or the refusal. */
    const peersIn = <B>(route: RouteBody<B>, body: Buffer, peers: (decoded: B) => ReadonlyArray<NodeId>): Result.Result<ReadonlyArray<NodeId>, Reply> => {
      const request = Result.flatMap(rawBody(route, body), (raw) => route.read(raw))
      if (Result.isFailure(request)) return Result.fail(refusal(400, request.failure))
      const unknown = peers(request.success).filter((id) => !book.nodes().some((node) => node.id === id))
      if (unknown.length > 0) return Result.fail(refusal(400, `not nodes of this cluster: ${unknown.join(", ")}`))
      return Result.succeed(peers(request.success).filter((id) => id !== config.self))
    }

    const partition = (body: Buffer): Reply => {
      const blocked = peersIn(partitionBody, body, (decoded) => decoded.blocked)
      if (Result.isFailure(blocked)) return blocked.failure
      faults.partition(blocked.success)
      return json(200, { id: config.self, blocked: faults.blocked() })
    }

    const hold = (body: Buffer): Reply => {
      const held = peersIn(holdBody, body, (decoded) => decoded.held)
      if (Result.isFailure(held)) return held.failure
      faults.hold(held.success)
      return json(200, { id: config.self, held: faults.held() })
    }

    const respond = (res: http.ServerResponse, reply: Reply): void => {
      const text = JSON.stringify(reply.body)
      res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...reply.headers })
      res.end(text)
    }

    /** The spec's status fields, and the host's: the nodes it blocks, the links it holds, the forwarded requests it keeps the way back for. */
    const status = () => ({
      id: config.self,
      ...config.hosted.api.status.of(node.state()),
      ...(config.variant === undefined ? {} : { variant: config.variant }),
      blocked: faults.blocked(),
      heldLinks: faults.held(),
      forwarding: forwarding.pending()
    })
    // The host's fields are written over the spec's, so a spec field of the same name would reach clients as the host's and fail the spec's status Schema.
    const clashing = Object.keys(config.hosted.api.status.of(node.state())).filter((field) => hostStatusFields.includes(field))
    if (clashing.length > 0) {
      return yield* Effect.die(new Error(`${config.hosted.name}'s status uses ${clashing.join(", ")}, which the host reports itself (${hostStatusFields.join(", ")}); rename it in the spec`))
    }

    const serve = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
      const target = router(req.method ?? "GET", req.url ?? "/")
      if (target._tag === "RouteError") {
        return respond(res, json(target.status, { error: target.error }, target.allow === undefined ? undefined : { allow: target.allow }))
      }
      switch (target._tag) {
        case "Status":
          return respond(res, json(200, status()))
        case "Partition":
          return respond(res, partition(body))
        case "Hold":
          return respond(res, hold(body))
        case "Metrics":
          return void res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(metrics.prometheus())
        case "OpenApi":
          description ??= JSON.stringify(describeClientApi(config.hosted))
          return void res.writeHead(200, { "content-type": "application/json" }).end(description)
        case "Call":
          return void call(target.route, target.params, target.timeoutMs, req.headers, body).then(
            (reply) => respond(res, reply),
            (error: unknown) => {
              log(Effect.logError("a client call failed", Cause.die(error)))
              respond(res, refusal(500, `the node failed to run the call: ${error instanceof Error ? error.message : String(error)}`))
            }
          )
      }
    }

    const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const unauthorized = refusalOf(policy, req.headers.authorization)
      if (unauthorized !== undefined) {
        req.resume()
        return respond(res, json(401, { error: unauthorized }, { "www-authenticate": `Bearer realm="parley"` }))
      }
      const chunks: Array<Buffer> = []
      let size = 0
      let refused = false
      req.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBodyBytes && !refused) {
          refused = true
          res.setHeader("connection", "close")
          respond(res, refusal(413, `the body is larger than ${maxBodyBytes} bytes`))
          req.destroy()
        } else chunks.push(chunk)
      })
      req.on("end", () => {
        if (!refused) serve(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
      })
    }
    const own = entryOf(config.nodes, config.self)!.client
    const server = tls === undefined
      ? http.createServer({ keepAliveTimeout: 60_000 }, handle)
      : createHttpsServer(tls, own, handle, (peer, reason) =>
        log(Effect.logWarning("refused a client connection: not TLS, or a failed handshake").pipe(Effect.annotateLogs({ peer, reason }))))
    server.on("clientError", (error: NodeJS.ErrnoException, duplex) => {
      const socket = duplex as net.Socket
      // A failed TLS handshake is logged by the HTTPS server; there is no HTTP to answer on it.
      if (error.code?.startsWith("ERR_SSL_") === true) return void socket.destroy()
      const peer = `${socket.remoteAddress}:${socket.remotePort}`
      log(Effect.logWarning("malformed HTTP request").pipe(Effect.annotateLogs({ peer, reason: error.code ?? error.message })))
      if (!socket.writable) return void socket.destroy()
      const text = JSON.stringify({ error: `malformed HTTP request: ${error.code ?? error.message}` })
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
    })

    const { host, port } = addressOf(own)
    // Beyond loopback anyone on the network could write: serve there only behind the token.
    const policy = { ...auth, required: auth.required || !isLoopback(host) }
    if (policy.required && auth.token === undefined) {
      return yield* new CredentialError({
        path: own,
        message: `node ${config.self} serves clients on ${own}, ${isLoopback(host) ? "and the cluster file requires a client token" : "which is not a loopback address"}, but has no client token: put one in client.token beside the cluster file (\`openssl rand -hex 32\`), mode 0600`
      })
    }
    yield* Effect.acquireRelease(
      Effect.callback<void, ListenError>((resume) => {
        server.once("error", (error) => resume(Effect.fail(new ListenError({ address: own, message: error.message }))))
        server.listen({ host, port }, () => resume(Effect.void))
      }),
      () => Effect.sync(() => {
        server.closeAllConnections()
        server.close()
      })
    )
    yield* Effect.logInfo("client API listening").pipe(Effect.annotateLogs({ address: own, scheme: tls === undefined ? "http" : "https" }))
    return ClientApi.of({ address: own })
  }))
}
