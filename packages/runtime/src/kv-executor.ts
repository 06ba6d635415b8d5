/**
 * Runs one key-value operation to completion from any node: hand it to this
 * node's reducer; when that says another node leads, forward it there over
 * the peer connection, with the same client and sequence number, so that a retry after a lost answer
 * or a leader change takes effect once. When no node knows a leader yet,
 * wait briefly and ask again, until the deadline.
 */
import type { KvInput, KvOutput, NodeId } from "@parley/core"
import { Effect, Option } from "effect"
import type { ClientSlot } from "./client-slots.ts"
import { Forwarding } from "./forwarding.ts"
import { NodeConfig } from "./node-config.ts"
import { Node } from "./node.ts"
import { Replies } from "./replies.ts"

export type KvResult =
  | { readonly _tag: "Done"; readonly output: KvOutput }
  | { readonly _tag: "Unavailable"; readonly reason: string }

/** One attempt waits at most this long for an answer before asking again. */
const attemptMs = 1000
/** The pause before asking again when no leader is known. */
const noLeaderPauseMs = 50

export const executeKv = (slot: ClientSlot, op: KvInput, timeoutMs: number) =>
  Effect.gen(function*() {
    const config = yield* NodeConfig
    const node = yield* Node
    const forwarding = yield* Forwarding
    const request = config.hosted.kvRequest(slot.seq, op)
    const deadline = Date.now() + timeoutMs
    // A node that knows the leader forwards at once rather than ask its own reducer to say so.
    let lastLeader: NodeId | null = node.status().leader
    let target: NodeId = lastLeader ?? config.self

    const replies = yield* Replies
    /** The leader's answer comes back over the transport; a partition drops the request like any message. */
    const forward = (to: NodeId, waitMs: number) =>
      replies.wait(slot.client, slot.seq, waitMs, Effect.sync(() => forwarding.forward(to, slot.client, request)))

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
