/**
 * Runs one client call to completion from any node: hand its request to
 * this node's reducer or, when the spec forwards and names another node
 * (a leader this node knows, a redirect), to that node's over the peer
 * connection, with the same client and sequence number, so that a retry
 * after a lost answer or a change of hands takes effect once. When no node
 * is named, wait briefly and ask again, until the deadline.
 */
import type { NodeId, RouteCall } from "@parley/core"
import { Effect, Option } from "effect"
import type { ClientSlot } from "./client-slots.ts"
import { NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { Replies } from "./replies.ts"
import { Forwarding } from "./forwarding.ts"

export type CallResult =
  | { readonly _tag: "Answer"; readonly answer: unknown }
  | { readonly _tag: "Unavailable"; readonly reason: string }

/** One attempt waits at most this long for an answer before asking again. */
const attemptMs = 1000
/** The pause before asking again when no node is named to take the request. */
const unnamedPauseMs = 50

export const executeCall = (slot: ClientSlot, call: RouteCall<unknown, unknown>, timeoutMs: number) =>
  Effect.gen(function*() {
    const config = yield* NodeConfig
    const node = yield* Node
    const forwarding = yield* Forwarding
    const replies = yield* Replies
    const { api } = config.hosted
    const request = call.request(slot.seq)
    const deadline = Date.now() + timeoutMs
    // A node that knows where the request belongs forwards it at once rather than ask its own reducer to say so.
    let lastKnown: NodeId | null = api.forwarding?.target(node.state(), request) ?? null
    let target: NodeId = lastKnown ?? config.self

    /** The other node's answer comes back over the peer link; a partition drops the request like any message. */
    const forward = (to: NodeId, waitMs: number) =>
      replies.wait(slot.client, slot.seq, waitMs, Effect.sync(() => forwarding.forward(to, slot.client, request)))

    while (Date.now() < deadline) {
      const waitMs = Math.min(attemptMs, deadline - Date.now())
      const answer = target === config.self
        ? yield* node.submit(slot.client, slot.seq, request, waitMs)
        : yield* forward(target, waitMs)
      if (Option.isNone(answer)) {
        target = config.self
        yield* Effect.sleep(unnamedPauseMs)
        continue
      }
      const outcome = api.outcome(answer.value)
      if (outcome._tag === "Answer") return { _tag: "Answer", answer: outcome.answer } satisfies CallResult
      lastKnown = outcome.node
      if (api.forwarding !== undefined && outcome.node !== null && outcome.node !== target) {
        target = outcome.node
        continue
      }
      target = config.self
      yield* Effect.sleep(unnamedPauseMs)
    }
    const reason = api.forwarding?.unavailable(lastKnown, timeoutMs) ?? `no answer within ${timeoutMs} ms`
    return { _tag: "Unavailable", reason } satisfies CallResult
  })
