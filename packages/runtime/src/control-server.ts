/**
 * The control channel of a node in controlled mode: HTTP/JSON on its own
 * loopback address, apart from the client API, so that no client can step
 * a node and the channel exists only when `parley node --control` asks for
 * it. Routes (control-protocol.ts):
 *   GET  /v1/control/report   what the node did since the last report, its timers and its state
 *   POST /v1/control/step     a ControlEvent: the node takes it; the answer is the report after it
 * Steps are taken one at a time, in the order they arrive.
 */
import { Context, Effect, Layer, Result, Schema, Semaphore } from "effect"
import * as http from "node:http"
import { addressOf, firstMembers, oneLine } from "./cluster-file.ts"
import { controlPaths, controlSchemas } from "./control-protocol.ts"
import type { ControlReport } from "./control-protocol.ts"
import { Controlled } from "./controlled.ts"
import { isLoopback } from "./credentials.ts"
import { ListenError } from "./errors.ts"
import { NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"

/** A step's body is one message or request of the spec: far below this. */
const maxControlBodyBytes = 1024 * 1024

interface Answer {
  readonly status: number
  readonly body: unknown
}

export class ControlServer extends Context.Service<ControlServer, { readonly address: string }>()("@parley/runtime/ControlServer") {
  static readonly layer = (address: string) =>
    Layer.effect(ControlServer, Effect.gen(function*() {
      const config = yield* NodeConfig
      const node = yield* Node
      const controlled = yield* Controlled
      const { ControlEvent, ControlReport } = controlSchemas(config.hosted)
      const decodeEvent = Schema.decodeUnknownResult(ControlEvent)
      const encodeReport = Schema.encodeSync(ControlReport)
      const actor = config.hosted.actor(firstMembers(config.nodes), config.options, config.variant)
      const oneAtATime = yield* Semaphore.make(1)
      const context = yield* Effect.context<never>()
      const run = Effect.runPromiseWith(context)

      const report = (): unknown => {
        const state = node.state()
        const outbox = controlled.takeOutbox()
        const whole: ControlReport = {
          sent: outbox.sent,
          replies: outbox.replies,
          armed: controlled.armed(),
          state: JSON.parse(JSON.stringify(state)),
          durable: actor.durable(state)
        }
        return encodeReport(whole)
      }

      const step = (text: string) =>
        Effect.gen(function*() {
          let raw: unknown
          try {
            raw = JSON.parse(text)
          } catch {
            return { status: 400, body: { error: "the step must be JSON: a Message, Timer or Request event" } }
          }
          const event = decodeEvent(raw)
          if (Result.isFailure(event)) return { status: 400, body: { error: `the step does not fit ${config.hosted.name}'s events: ${oneLine(event.failure.message)}` } }
          const refused = yield* controlled.step(event.success)
          return refused === undefined ? { status: 200, body: report() } : { status: 409, body: { error: refused } }
        }).pipe(oneAtATime.withPermits(1))

      const answer = (method: string, url: string, body: string): Promise<Answer> => {
        if (url === controlPaths.report && method === "GET") return run(oneAtATime.withPermits(1)(Effect.sync(() => ({ status: 200, body: report() }))))
        if (url === controlPaths.step && method === "POST") return run(step(body))
        return Promise.resolve({ status: 404, body: { error: `no control route ${method} ${url}; routes: GET ${controlPaths.report}, POST ${controlPaths.step}` } })
      }

      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        let size = 0
        const respond = ({ status, body }: Answer) => {
          const text = JSON.stringify(body)
          res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
          res.end(text)
        }
        req.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size <= maxControlBodyBytes) chunks.push(chunk)
        })
        req.on("end", () => {
          if (size > maxControlBodyBytes) return respond({ status: 413, body: { error: `the body is larger than ${maxControlBodyBytes} bytes` } })
          void answer(req.method ?? "GET", req.url ?? "/", Buffer.concat(chunks).toString("utf8")).then(
            respond,
            (error: unknown) => respond({ status: 500, body: { error: `the step failed: ${error instanceof Error ? error.message : String(error)}` } })
          )
        })
      })

      const { host, port } = addressOf(address)
      if (!isLoopback(host)) return yield* new ListenError({ address, message: `the control channel serves on loopback only, not ${host}` })
      yield* Effect.acquireRelease(
        Effect.callback<void, ListenError>((resume) => {
          server.once("error", (error) => resume(Effect.fail(new ListenError({ address, message: error.message }))))
          server.listen({ host, port }, () => resume(Effect.void))
        }),
        () => Effect.sync(() => {
          server.closeAllConnections()
          server.close()
        })
      )
      yield* Effect.logWarning("controlled mode: timers fire and messages leave only when the control channel says").pipe(
        Effect.annotateLogs({ control: address })
      )
      return ControlServer.of({ address })
    }))
}
