/**
 * The node loop: one callback takes every event that is waiting, runs the
 * reducer over them in order, saves the durable state once for the whole
 * batch, and only then performs the batch's outputs. One save per batch is
 * the group commit: under load many client writes arrive together and share
 * one fsync, and nothing leaves the node before what it depends on is on disk,
 * but for the messages the spec lets leave during the save
 * (`HostedSpec.sendsBeforeSave`: Raft's AppendEntries, so the leader's
 * fsync and its followers' run at once).
 * Each step also goes to the event log: a batch that took a client request
 * is written before anything of it leaves, any other a turn of the event
 * loop later, once its outputs and its replies have left, or with later
 * ones when it took messages alone (event-log.ts says why).
 * The loop is a plain callback that the first event into an empty inbox
 * schedules with `setImmediate`, not a fiber: it runs once I/O has been
 * polled, so whatever is waiting on the sockets joins the batch, and a
 * write at one connection pays no fiber hops for it (they were a tenth of
 * a leader's CPU a write). Its end is still an Effect failure, `stopped`.
 */
import type { Actor, ClientId, NodeContext, Output, Step } from "@parley/core"
import { Cause, Context, Deferred, Effect, Layer, Option, Result } from "effect"
import { NodeStopped } from "./errors.ts"
import type { StorageError } from "./errors.ts"
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
import { saved, Storage } from "./storage.ts"
import { Timers } from "./timers.ts"

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
  /** `submit` as a promise, for the client API's path, which runs no fiber per request. */
  ask(client: ClientId, seq: number, request: unknown, timeoutMs: number): Promise<Option.Option<unknown>>
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
    yield* Effect.fromResult(storage.save(actor.durable(state)))
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

    /** One batch: every event through the reducer, the event log, the sends that may leave first, the save, the rest. */
    const runBatch = (events: ReadonlyArray<NodeEvent>): Result.Result<void, StorageError> => {
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
      const save = storage.save(actor.durable(state))
      if (Result.isFailure(save)) return save
      const saveEnd = performance.now()
      // The outputs first: a follower's answer and a leader's reply wait for nothing else.
      perform(later)
      metrics.batch(events.length, proposals, (saveStart - applyStart) / 1000, (saveEnd - saveStart) / 1000)
      metrics.status(config.hosted.api.status.of(state))
      flushLogSoon()
      return save
    }

    const logContext = yield* Effect.context<never>()
    const ended = Deferred.makeUnsafe<never, NodeStopped>()
    let running = true
    let scheduled: ReturnType<typeof setImmediate> | undefined
    /** The loop ends for good: logged (before `stopped` fails, so the process that exits on it has said why), and `stopped` fails. */
    const end = (cause: Cause.Cause<unknown>): void => {
      running = false
      Effect.runSyncWith(logContext)(Effect.logError("the node loop stopped", cause))
      Deferred.doneUnsafe(ended, Effect.fail(new NodeStopped({ node: config.self, message: `node ${config.self} stopped: ${whyStopped(cause)}` })))
    }
    /** Runs part of the loop; a storage failure or anything thrown ends the loop. */
    const guarded = (part: () => Result.Result<void, StorageError>): void => {
      if (!running) return
      try {
        const done = part()
        if (Result.isFailure(done)) end(Cause.fail(done.failure))
      } catch (error) {
        end(Cause.die(error))
      }
    }
    /**
     * The batch's steps go to the log once its replies have left: a reply is
     * written when the call waiting for it resumes, after this turn, so the
     * log's encoding and write(2) wait a turn rather than delay it. Steps
     * that took messages alone may wait for a few more (`holdsBack`), never
     * past a batch with a request or a timer; `parley validate` rebuilds what
     * a kill -9 kept from the log (lost-batch.ts).
     */
    let logFlush: ReturnType<typeof setImmediate> | undefined
    const flushLog = (): Result.Result<void, StorageError> => {
      if (logFlush !== undefined) clearImmediate(logFlush)
      logFlush = undefined
      log.settle()
      return saved
    }
    const flushLogSoon = (): void => {
      logFlush ??= setImmediate(() => guarded(flushLog))
    }
    const turn = (): void => {
      scheduled = undefined
      if (!running) return
      const events = inbox.takeAll()
      if (events.length === 0) return
      if (logFlush !== undefined) guarded(flushLog)
      guarded(() => runBatch(events))
    }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        running = false
        if (scheduled !== undefined) clearImmediate(scheduled)
        // The log, opened in this scope, flushes what it holds as it closes.
        if (logFlush !== undefined) clearImmediate(logFlush)
      })
    )

    metrics.status(config.hosted.api.status.of(state))
    perform(first.out)
    // An event into an empty inbox schedules one turn after this turn's I/O; events that come meanwhile join it.
    inbox.onArrival(() => {
      if (running && scheduled === undefined) scheduled = setImmediate(turn)
    })
    if (inbox.size > 0) scheduled = setImmediate(turn)

    const ask = (client: ClientId, seq: number, request: unknown, timeoutMs: number): Promise<Option.Option<unknown>> =>
      replies.answerTo(client, seq, timeoutMs, () => inbox.offer({ _tag: "Request", client, request }))

    return Node.of({
      submit: (client, seq, request, timeoutMs) =>
        Effect.callback<Option.Option<unknown>>((resume) => {
          const stop = replies.expect(client, seq, timeoutMs, (answer) => resume(Effect.succeed(answer)))
          inbox.offer({ _tag: "Request", client, request })
          return Effect.sync(stop)
        }),
      ask,
      state: () => state,
      stopped: Deferred.await(ended)
    })
  }))
}

/** The loop's end in one line: a storage failure says what it could not do; anything else was thrown by the reducer or the host. */
const whyStopped = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  const message = error instanceof Error ? error.message : String(error)
  return Cause.hasFails(cause) ? message : `a step threw: ${message}`
}
