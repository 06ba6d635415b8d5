/**
 * The node loop: one fiber takes every event that is waiting, runs the
 * reducer over them in order, saves the durable state once for the whole
 * batch, and only then performs the batch's outputs. One save per batch is
 * the group commit: under load many client writes arrive together and share
 * one fsync, and nothing leaves the node before what it depends on is on disk,
 * but for the messages the spec lets leave during the save
 * (`HostedSpec.sendsBeforeSave`: Raft's AppendEntries, so the leader's
 * fsync and its followers' run at once).
 * Each step also goes to the event log: a batch that took a client request
 * is written before anything of it leaves, any other at the loop's next
 * turn, once its outputs and its replies have left, or with later ones when
 * it took messages alone (event-log.ts says why).
 */
import type { Actor, ClientId, NodeContext, Output, Step } from "@parley/core"
import { Cause, Context, Effect, Fiber, Layer, Option, Queue } from "effect"
import { NodeStopped } from "./errors.ts"
import { EventLog } from "./event-log.ts"
import type { EventInput } from "./event-log.ts"
import { Forwarding } from "./forwarding.ts"
import { Inbox } from "./inbox.ts"
import type { NodeEvent } from "./inbox.ts"
import { NodeMetrics } from "./metrics.ts"
import { firstMembers } from "./cluster-file.ts"
import { NodeConfig } from "./node-config.ts"
import { PeerMessages } from "./peers.ts"
import { Replies } from "./replies.ts"
import { Storage } from "./storage.ts"
import { Timers } from "./timers.ts"

/**
 * Lets Node's event loop run one turn of I/O before the next batch is
 * taken, so requests and messages already waiting on sockets join it: with
 * many clients the batches grow and the fsyncs per write shrink.
 */
const ioTurn = Effect.callback<void>((resume) => {
  setImmediate(() => resume(Effect.void))
})

type AnyActor = Actor<unknown, unknown, unknown, unknown, unknown, unknown>
type AnyOutput = Output<unknown, unknown, unknown>

/** One event through the reducer, as the node loop runs it and `parley validate` replays it. */
export const takeInput = (actor: AnyActor, state: unknown, input: EventInput): Step<unknown, unknown, unknown, unknown> => {
  switch (input._tag) {
    case "Message":
      return actor.onMessage(state, input.from, input.message)
    case "Timer":
      return actor.onTimer(state, input.timer)
    case "Request":
      return actor.onRequest(state, input.client, input.request)
  }
}

export class Node extends Context.Service<Node, {
  /**
   * Hands a client's request to the reducer and waits for the reply to that
   * request (`seq`) for up to `timeoutMs`; none when no reply came in time.
   */
  submit(client: ClientId, seq: number, request: unknown, timeoutMs: number): Effect.Effect<Option.Option<unknown>>
  /** The reducer's state now, for the client API's status and forwarding. */
  state(): unknown
  /**
   * Waits while the loop runs; fails when it ends for any reason (a storage
   * error, an exception in a step). The host exits with that failure.
   */
  readonly stopped: Effect.Effect<never, NodeStopped>
}>()("@parley/runtime/Node") {
  static readonly layer = Layer.effect(Node, Effect.gen(function*() {
    const config = yield* NodeConfig
    const inbox = yield* Inbox
    const storage = yield* Storage
    const timers = yield* Timers
    const peers = yield* PeerMessages
    const forwarding = yield* Forwarding
    const replies = yield* Replies
    const metrics = yield* NodeMetrics
    const eventLog = yield* EventLog
    const actor: AnyActor = config.hosted.actor(firstMembers(config.nodes), config.options, config.variant)
    const context: NodeContext = { self: config.self, nodes: firstMembers(config.nodes) }
    const stamp = config.hosted.stampRequest?.bind(config.hosted)

    if (config.variant !== undefined) {
      yield* Effect.logWarning(`running the known-buggy variant "${config.variant}" of ${config.hosted.name}, for demonstration: it is not correct`)
    }
    const stored = yield* storage.load
    const first = Option.isSome(stored) ? actor.recover(context, stored.value) : actor.init(context)
    let state = first.state
    const log = yield* eventLog.open(actor, context)
    log.record(Option.isSome(stored) ? { _tag: "Recover", durable: stored.value } : { _tag: "Init" }, first)
    log.flush()
    yield* storage.save(actor.durable(state))
    yield* Effect.logInfo(Option.isSome(stored) ? "recovered from durable state" : "started fresh").pipe(
      Effect.annotateLogs(config.hosted.api.status.of(state))
    )

    /** A reply goes to the operation waiting here, or back to the node that forwarded it. */
    const answer = (client: ClientId, response: unknown): void => {
      if (!replies.deliver(client, response)) forwarding.answerForwarded(client, response)
    }

    const perform = (out: ReadonlyArray<AnyOutput>): void => {
      for (const output of out) {
        switch (output._tag) {
          case "Send":
            peers.send(output.to, output.message)
            break
          case "SetTimer":
            timers.set(output.timer)
            break
          case "CancelTimer":
            timers.cancel(output.timer)
            break
          case "Reply":
            answer(output.client, output.response)
            break
        }
      }
      peers.flush()
    }

    /** The event as the reducer takes it: a stale timer firing is no input; a request is stamped with this node's clock. */
    const inputOf = (event: NodeEvent): EventInput | undefined => {
      switch (event._tag) {
        case "Message":
          return event
        case "Timer":
          return timers.isCurrent(event.key, event.generation) ? { _tag: "Timer", timer: event.timer } : undefined
        case "Request":
          return { _tag: "Request", client: event.client, request: stamp === undefined ? event.request : stamp(event.request, Date.now()) }
      }
    }

    const sendsBeforeSave = config.hosted.sendsBeforeSave?.bind(config.hosted)
    /**
     * Sends now the batch's messages the spec lets leave before the save,
     * and gives back what waits for it. A link keeps its order: once a
     * message to a node must wait, every later one to that node waits too.
     */
    const performBeforeSave = (out: ReadonlyArray<AnyOutput>): ReadonlyArray<AnyOutput> => {
      if (sendsBeforeSave === undefined) return out
      const later: Array<AnyOutput> = []
      const held = new Set<string>()
      let sent = false
      for (const output of out) {
        if (output._tag === "Send" && !held.has(output.to) && sendsBeforeSave(output.message)) {
          peers.send(output.to, output.message)
          sent = true
          continue
        }
        if (output._tag === "Send") held.add(output.to)
        later.push(output)
      }
      if (sent) peers.flush()
      return later
    }

    const apply = (input: EventInput): Step<unknown, unknown, unknown, unknown> => takeInput(actor, state, input)

    metrics.status(config.hosted.api.status.of(state))
    perform(first.out)
    const loop = Effect.gen(function*() {
      yield* ioTurn
      // The last batch's steps, held until its replies have left: a reply is written by its HTTP fiber, which runs once this one yields.
      log.settle()
      const events = yield* Queue.takeAll(inbox)
      const out: Array<AnyOutput> = []
      const applyStart = performance.now()
      let proposals = 0
      for (const event of events) {
        if (event._tag === "Request") proposals++
        const input = inputOf(event)
        if (input === undefined) continue
        const step = apply(input)
        log.record(input, step)
        state = step.state
        for (const output of step.out) out.push(output)
      }
      // Validate can rebuild a batch of messages and timers that a kill -9 kept from the log, never a client's request.
      if (proposals > 0) log.flush()
      const later = performBeforeSave(out)
      const saveStart = performance.now()
      yield* storage.save(actor.durable(state))
      metrics.batch(events.length, proposals, (saveStart - applyStart) / 1000, (performance.now() - saveStart) / 1000)
      metrics.status(config.hosted.api.status.of(state))
      perform(later)
    })
    const running = yield* Effect.forkScoped(Effect.forever(loop).pipe(
      Effect.tapCause((cause) => Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError("the node loop stopped", cause))
    ))
    const stopped = Fiber.join(running).pipe(
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.interrupt
          : Effect.fail(new NodeStopped({ node: config.self, message: `node ${config.self} stopped: ${whyStopped(cause)}` }))
      )
    )

    return Node.of({
      submit: (client, seq, request, timeoutMs) =>
        replies.wait(client, seq, timeoutMs, Queue.offer(inbox, { _tag: "Request", client, request })),
      state: () => state,
      stopped
    })
  }))
}

/** The loop's end in one line: a storage failure says what it could not do; anything else was thrown by the reducer or the host. */
const whyStopped = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  const message = error instanceof Error ? error.message : String(error)
  return Cause.hasFails(cause) ? message : `a step threw: ${message}`
}
