import type { ClientId } from "@parley/core"
import { Context, Effect, Layer, Option } from "effect"
import { NodeConfig } from "./node-config.ts"

interface Waiter {
  readonly seq: number
  readonly answered: (answer: Option.Option<unknown>) => void
  readonly timer: ReturnType<typeof setTimeout>
}

/**
 * Client operations waiting for their answer, by client and sequence
 * number. An answer arrives from this node's reducer (a Reply output) or,
 * for an operation forwarded to the leader, over the transport. A waiter is
 * a callback and one timer, not a fiber: every client write waits here, and
 * a Deferred raced against a sleeping fiber cost more CPU than the wait's
 * own work.
 */
export class Replies extends Context.Service<Replies, {
  /**
   * Calls `answered` once: with the answer to `client`'s request `seq` when
   * it arrives, or with none after `timeoutMs`. The function it returns
   * stops waiting, and `answered` is then never called.
   */
  expect(client: ClientId, seq: number, timeoutMs: number, answered: (answer: Option.Option<unknown>) => void): () => void
  /** Waits for the answer to `client`'s request `seq` (none after `timeoutMs`), then runs `start`, which hands the request on: the wait is in place before any answer can come. */
  answerTo(client: ClientId, seq: number, timeoutMs: number, start: () => void): Promise<Option.Option<unknown>>
  /** Hands `response` to whoever waits for it here; false when nobody does. */
  deliver(client: ClientId, response: unknown): boolean
}>()("@parley/runtime/Replies") {
  static readonly layer = Layer.effect(Replies, Effect.gen(function*() {
    const { hosted } = yield* NodeConfig
    const waiters = new Map<ClientId, Array<Waiter>>()
    const remove = (client: ClientId, waiter: Waiter): boolean => {
      const waiting = waiters.get(client)
      const at = waiting?.indexOf(waiter) ?? -1
      if (waiting === undefined || at < 0) return false
      if (waiting.length === 1) waiters.delete(client)
      else waiting.splice(at, 1)
      clearTimeout(waiter.timer)
      return true
    }
    const expect = (client: ClientId, seq: number, timeoutMs: number, answered: (answer: Option.Option<unknown>) => void): () => void => {
      const waiter: Waiter = {
        seq,
        answered,
        timer: setTimeout(() => {
          if (remove(client, waiter)) answered(Option.none())
        }, timeoutMs)
      }
      const waiting = waiters.get(client)
      if (waiting === undefined) waiters.set(client, [waiter])
      else waiting.push(waiter)
      return () => void remove(client, waiter)
    }
    return Replies.of({
      expect,
      answerTo: (client, seq, timeoutMs, start) =>
        new Promise((resolve) => {
          expect(client, seq, timeoutMs, resolve)
          start()
        }),
      deliver: (client, response) => {
        const waiting = waiters.get(client)
        if (waiting === undefined) return false
        const seq = hosted.api.answers(response)
        const answered = waiting.filter((waiter) => waiter.seq === seq)
        for (const waiter of answered) {
          remove(client, waiter)
          waiter.answered(Option.some(response))
        }
        return answered.length > 0
      }
    })
  }))
}
