import type { ClientId } from "@parley/core"
import { Context, Deferred, Effect, Layer, Option } from "effect"
import { NodeConfig } from "./node-config.ts"

interface Waiter {
  readonly seq: number
  readonly done: Deferred.Deferred<unknown>
}

/**
 * Client operations waiting for their answer, by client and sequence
 * number. An answer arrives from this node's reducer (a Reply output) or,
 * for an operation forwarded to the leader, over the transport.
 */
export class Replies extends Context.Service<Replies, {
  /** Runs `start` (hand the request to a reducer, here or at the leader) and waits up to `timeoutMs` for its answer. */
  wait<E, R>(client: ClientId, seq: number, timeoutMs: number, start: Effect.Effect<void, E, R>): Effect.Effect<Option.Option<unknown>, E, R>
  /** Hands `response` to whoever waits for it here; false when nobody does. */
  deliver(client: ClientId, response: unknown): boolean
}>()("@parley/runtime/Replies") {
  static readonly layer = Layer.effect(Replies, Effect.gen(function*() {
    const { hosted } = yield* NodeConfig
    const waiters = new Map<ClientId, Array<Waiter>>()
    const remove = (client: ClientId, waiter: Waiter) =>
      Effect.sync(() => {
        const remaining = (waiters.get(client) ?? []).filter((other) => other !== waiter)
        if (remaining.length === 0) waiters.delete(client)
        else waiters.set(client, remaining)
      })
    return Replies.of({
      wait: (client, seq, timeoutMs, start) =>
        Effect.suspend(() => {
          const waiter: Waiter = { seq, done: Deferred.makeUnsafe<unknown>() }
          waiters.set(client, [...(waiters.get(client) ?? []), waiter])
          return start.pipe(
            Effect.andThen(Deferred.await(waiter.done).pipe(Effect.timeoutOption(timeoutMs))),
            Effect.ensuring(remove(client, waiter))
          )
        }),
      deliver: (client, response) => {
        const waiting = waiters.get(client)
        if (waiting === undefined) return false
        const seq = hosted.api.answers(response)
        let delivered = false
        for (const waiter of waiting) {
          if (waiter.seq === seq) delivered = Deferred.doneUnsafe(waiter.done, Effect.succeed(response)) || delivered
        }
        return delivered
      }
    })
  }))
}
