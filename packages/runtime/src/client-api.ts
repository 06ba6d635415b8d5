/**
 * The HTTP/1.1 JSON client API on the node's client address (routes.ts
 * lists the routes). Every answer is JSON; every refusal says what was
 * wrong. A request the HTTP parser cannot read gets a 400 and its
 * connection is closed; the server goes on serving everyone else.
 */
import type { KvInput, KvOutput, NodeId } from "@parley/core"
import { Context, Effect, Layer, Result, Schema } from "effect"
import * as http from "node:http"
import type * as net from "node:net"
import { addressOf, oneLine } from "./cluster-file.ts"
import { ClientSlots } from "./client-slots.ts"
import { ListenError } from "./errors.ts"
import { Faults } from "./faults.ts"
import { Forwarding } from "./forwarding.ts"
import { executeKv } from "./kv-executor.ts"
import { entryOf, NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { maxBodyBytes, route } from "./routes.ts"
import type { KvAction } from "./routes.ts"
import { Replies } from "./replies.ts"

/** Operations one node's API keeps in flight at once; more get 429. */
const maxInFlight = 4096

const CasBody = Schema.Struct({ expected: Schema.NullOr(Schema.String), value: Schema.String })
const PartitionBody = Schema.Struct({ blocked: Schema.Array(Schema.String) })

interface Reply {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply =>
  headers === undefined ? { status, body } : { status, body, headers }
const refusal = (status: number, error: string): Reply => json(status, { error })

const utf8 = new TextDecoder("utf-8", { fatal: true })

const decodeJsonBody = <T>(schema: Schema.Codec<T, unknown>, body: Buffer, what: string): T | Reply => {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(body))
  } catch {
    return refusal(400, `the body must be JSON: ${what}`)
  }
  const decoded = Schema.decodeUnknownResult(schema)(value)
  return Result.isSuccess(decoded) ? decoded.success : refusal(400, `the body does not fit ${what}: ${oneLine(decoded.failure.message)}`)
}

const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && "status" in value && "body" in value && typeof (value as Reply).status === "number"

const kvInput = (action: KvAction, key: string, body: Buffer): KvInput | Reply => {
  switch (action) {
    case "get":
      return { _tag: "Get", key }
    case "delete":
      return { _tag: "Delete", key }
    case "put": {
      try {
        return { _tag: "Put", key, value: utf8.decode(body) }
      } catch {
        return refusal(400, "the value (the request body) is not valid UTF-8")
      }
    }
    case "cas": {
      const cas = decodeJsonBody(CasBody, body, `{"expected": string | null, "value": string}`)
      return isReply(cas) ? cas : { _tag: "Cas", key, expected: cas.expected, value: cas.value }
    }
  }
}

const kvReply = (key: string, output: KvOutput): Reply => {
  switch (output._tag) {
    case "Written":
      return json(200, { key })
    case "Value":
      return output.value === null ? json(404, { error: `key ${JSON.stringify(key)} not found`, key }) : json(200, { key, value: output.value })
    case "Deleted":
      return json(200, { key, deleted: output.existed })
    case "Swapped":
      return json(200, { key, swapped: output.ok, value: output.current })
  }
}

export class ClientApi extends Context.Service<ClientApi, { readonly address: string }>()("@parley/runtime/ClientApi") {
  static readonly layer = Layer.effect(ClientApi, Effect.gen(function*() {
    const config = yield* NodeConfig
    const node = yield* Node
    const faults = yield* Faults
    const context = yield* Effect.context<NodeConfig | Node | Forwarding | Replies>()
    const run = Effect.runPromiseWith(context)
    const log = (effect: Effect.Effect<void>) => Effect.runForkWith(context)(effect)
    const incarnation = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
    const slots = new ClientSlots(`${config.self}.${incarnation}`, maxInFlight)
    const known = new Set(config.nodes.map((entry) => entry.id))

    const kv = (action: KvAction, key: string, timeoutMs: number, body: Buffer): Effect.Effect<Reply, never, NodeConfig | Node | Forwarding | Replies> =>
      Effect.gen(function*() {
        const op = kvInput(action, key, body)
        if (isReply(op)) return op
        const slot = slots.lease()
        if (slot === undefined) return refusal(429, `more than ${maxInFlight} operations are in flight on this node`)
        const result = yield* executeKv(slot, op, timeoutMs).pipe(Effect.ensuring(Effect.sync(() => slots.release(slot))))
        if (result._tag === "Done") return kvReply(key, result.output)
        return json(503, { error: result.reason }, { "retry-after": "1" })
      })

    const partition = (body: Buffer): Reply => {
      const request = decodeJsonBody(PartitionBody, body, `{"blocked": [node ids]}`)
      if (isReply(request)) return request
      const unknown = request.blocked.filter((id: NodeId) => !known.has(id))
      if (unknown.length > 0) return refusal(400, `not nodes of this cluster: ${unknown.join(", ")}`)
      faults.partition(request.blocked.filter((id) => id !== config.self))
      return json(200, { id: config.self, blocked: faults.blocked() })
    }

    const respond = (res: http.ServerResponse, reply: Reply): void => {
      const text = JSON.stringify(reply.body)
      res.writeHead(reply.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...reply.headers })
      res.end(text)
    }

    const serve = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void => {
      const target = route(req.method ?? "GET", req.url ?? "/")
      if (target._tag === "RouteError") {
        return respond(res, json(target.status, { error: target.error }, target.allow === undefined ? undefined : { allow: target.allow }))
      }
      switch (target._tag) {
        case "Status":
          return respond(res, json(200, { id: config.self, ...node.status(), blocked: faults.blocked() }))
        case "Partition":
          return respond(res, partition(body))
        case "Kv":
          return void run(kv(target.action, target.key, target.timeoutMs, body)).then((reply) => respond(res, reply))
      }
    }

    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
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
    })
    server.on("clientError", (error: NodeJS.ErrnoException, duplex) => {
      const socket = duplex as net.Socket
      const peer = `${socket.remoteAddress}:${socket.remotePort}`
      log(Effect.logWarning("malformed HTTP request").pipe(Effect.annotateLogs({ peer, reason: error.code ?? error.message })))
      if (!socket.writable) return void socket.destroy()
      const text = JSON.stringify({ error: `malformed HTTP request: ${error.code ?? error.message}` })
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
    })

    const own = entryOf(config.nodes, config.self)!.client
    const { host, port } = addressOf(own)
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
    yield* Effect.logInfo("client API listening").pipe(Effect.annotateLogs({ address: own }))
    return ClientApi.of({ address: own })
  }))
}
