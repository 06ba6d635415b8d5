/**
 * Runs one key-value operation to completion from any node: hand it to this
 * node's reducer; when that says another node leads, forward it there with
 * the same client and sequence number, so that a retry after a lost answer
 * or a leader change takes effect once. When no node knows a leader yet,
 * wait briefly and ask again, until the deadline.
 */
import type { KvInput, KvOutput, NodeId } from "@parley/core"
import { Effect, Option, Result, Schema } from "effect"
import type { ClientSlot } from "./client-slots.ts"
import { entryOf, NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { Transport } from "./transport.ts"

export type KvResult =
  | { readonly _tag: "Done"; readonly output: KvOutput }
  | { readonly _tag: "Unavailable"; readonly reason: string }

/** One attempt waits at most this long for an answer before asking again. */
const attemptMs = 1000
/** The pause before asking again when no leader is known. */
const noLeaderPauseMs = 50

export const ForwardedRequest = Schema.Struct({ client: Schema.String, seq: Schema.Int, request: Schema.Unknown })

export const executeKv = (slot: ClientSlot, op: KvInput, timeoutMs: number) =>
  Effect.gen(function*() {
    const config = yield* NodeConfig
    const node = yield* Node
    const transport = yield* Transport
    const request = config.hosted.kvRequest(slot.seq, op)
    const encodeRequest = Schema.encodeSync(config.hosted.request)
    const decodeResponse = Schema.decodeUnknownResult(config.hosted.response)
    const deadline = Date.now() + timeoutMs
    // A node that knows the leader forwards at once rather than ask its own reducer to say so.
    let lastLeader: NodeId | null = node.status().leader
    let target: NodeId = lastLeader ?? config.self

    // A partition cuts forwarded client requests too, not only the reducers' messages.
    const forward = (to: NodeId, waitMs: number) =>
      transport.blocked().includes(to) ? Effect.sleep(waitMs).pipe(Effect.as(Option.none<unknown>())) : Effect.tryPromise(async () => {
        const response = await fetch(`http://${entryOf(config.nodes, to)!.client}/v1/internal/request`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client: slot.client, seq: slot.seq, request: encodeRequest(request) }),
          signal: AbortSignal.timeout(waitMs + 200)
        })
        return response.status === 200 ? ((await response.json()) as { response: unknown }).response : undefined
      }).pipe(
        Effect.map((body) => {
          const decoded = body === undefined ? undefined : decodeResponse(body)
          return decoded !== undefined && Result.isSuccess(decoded) ? Option.some(decoded.success) : Option.none()
        }),
        Effect.orElseSucceed(() => Option.none<unknown>())
      )

    while (Date.now() < deadline) {
      const waitMs = Math.min(attemptMs, deadline - Date.now())
      const answer = target === config.self
        ? yield* node.submit(slot.client, slot.seq, request, waitMs)
        : yield* forward(target, waitMs)
      if (Option.isNone(answer)) {
        target = config.self
        yield* Effect.sleep(noLeaderPauseMs)
        continue
      }
      const outcome = config.hosted.kvOutcome(answer.value)
      if (outcome._tag === "Done") return { _tag: "Done", output: outcome.output } satisfies KvResult
      lastLeader = outcome.leader
      if (outcome.leader !== null && outcome.leader !== target) {
        target = outcome.leader
        continue
      }
      target = config.self
      yield* Effect.sleep(noLeaderPauseMs)
    }
    const reason = lastLeader === null
      ? `no leader was elected within ${timeoutMs} ms`
      : `the leader (last known: ${lastLeader}) did not commit the operation within ${timeoutMs} ms`
    return { _tag: "Unavailable", reason } satisfies KvResult
  })
