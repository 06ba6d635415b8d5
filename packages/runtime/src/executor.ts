/**
 * Runs one client call to completion from any node: hand its request to
 * this node's reducer or, when the spec forwards and names another node
 * (a leader this node knows, a redirect), to that node's over the peer
 * connection, with the same client and sequence number, so that a retry
 * after a lost answer or a change of hands takes effect once. When no node
 * is named, wait briefly and ask again, until the deadline.
 *
 * A plain async function over the node's services, not an Effect: it runs
 * once for every client request, and a fiber, its generators and a timeout
 * race per request were a tenth of a leader's CPU a write at one
 * connection. Its waits are Replies' callbacks and a timer.
 */
import type { NodeId, RouteCall } from "@parley/core"
import { Option } from "effect"
import { setTimeout as sleep } from "node:timers/promises"
import type { ClientSlot } from "./client-slots.ts"
import type { Forwarding } from "./forwarding.ts"
import type { Node } from "./node.ts"
import type { NodeConfig } from "./node-config.ts"
import type { Replies } from "./replies.ts"

export type CallResult =
  | { readonly _tag: "Answer"; readonly answer: unknown }
  | { readonly _tag: "Unavailable"; readonly reason: string }

/** What a call needs of the node: its config, its loop, the way to other nodes, and the answers waiting. */
export interface CallServices {
  readonly config: NodeConfig["Service"]
  readonly node: Node["Service"]
  readonly forwarding: Forwarding["Service"]
  readonly replies: Replies["Service"]
}

/** One attempt waits at most this long for an answer before asking again. */
const attemptMs = 1000
/** The pause before asking again when no node is named to take the request. */
const unnamedPauseMs = 50

export const executeCall = async (
  { config, node, forwarding, replies }: CallServices,
  slot: ClientSlot,
  call: RouteCall<unknown, unknown>,
  timeoutMs: number
): Promise<CallResult> => {
  const { api } = config.hosted
  const request = call.request(slot.seq)
  const deadline = Date.now() + timeoutMs
  // A node that knows where the request belongs forwards it at once rather than ask its own reducer to say so.
  let lastKnown: NodeId | null = api.forwarding?.target(node.state(), request) ?? null
  let target: NodeId = lastKnown ?? config.self

  /** The other node's answer comes back over the peer link; a partition drops the request like any message. */
  const forward = (to: NodeId, waitMs: number): Promise<Option.Option<unknown>> =>
    replies.answerTo(slot.client, slot.seq, waitMs, () => forwarding.forward(to, slot.client, request))

  while (Date.now() < deadline) {
    const waitMs = Math.min(attemptMs, deadline - Date.now())
    const answer = target === config.self
      ? await node.ask(slot.client, slot.seq, request, waitMs)
      : await forward(target, waitMs)
    if (Option.isNone(answer)) {
      target = config.self
      await sleep(unnamedPauseMs)
      continue
    }
    const outcome = api.outcome(answer.value)
    if (outcome._tag === "Answer") return { _tag: "Answer", answer: outcome.answer }
    lastKnown = outcome.node
    if (api.forwarding !== undefined && outcome.node !== null && outcome.node !== target) {
      target = outcome.node
      continue
    }
    target = config.self
    await sleep(unnamedPauseMs)
  }
  const reason = api.forwarding?.unavailable(lastKnown, timeoutMs) ?? `no answer within ${timeoutMs} ms`
  return { _tag: "Unavailable", reason }
}
