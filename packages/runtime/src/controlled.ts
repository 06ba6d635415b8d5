/**
 * Controlled mode, in which a node takes only the steps it is told to take,
 * so that a checker's counterexample can be made to happen on real
 * processes (`parley trace replay`). It replaces three services of the
 * node (host.ts): Timers, which only arm and fire when told; PeerMessages
 * and Forwarding, which put nothing on the wire but keep every message and
 * reply in an outbox. The replayer collects the outbox after each step and
 * is the network: it delivers each message when the trace does. A message
 * the replayer has collected outlives a kill -9 of its sender, as a message
 * in flight does in the model. The reducer, the node loop, the storage and
 * the client API are the ones a normal node runs.
 */
import type { ClientId, NodeId } from "@parley/core"
import { Context, Deferred, Duration, Effect, Layer, Option } from "effect"
import type { ControlEvent } from "./control-protocol.ts"
import { timerKey } from "./control-protocol.ts"
import { Forwarding } from "./forwarding.ts"
import { Inbox } from "./inbox.ts"
import { NodeConfig } from "./node-config.ts"
import { PeerMessages } from "./peers.ts"
import { Timers } from "./timers.ts"

/** What the reducer sent and replied since the outbox was last taken. */
export interface Outbox {
  readonly sent: ReadonlyArray<{ readonly to: NodeId; readonly message: unknown }>
  readonly replies: ReadonlyArray<{ readonly client: ClientId; readonly response: unknown }>
}

/** How long a step may take before the control channel says the loop did not finish it. */
const stepTimeout = Duration.seconds(10)

export class Controlled extends Context.Service<Controlled, {
  /** Hands `event` to the reducer and waits until the loop has performed the batch it was in; a string says why not. */
  step(event: ControlEvent): Effect.Effect<string | undefined>
  /** Everything in the outbox, which is left empty. */
  takeOutbox(): Outbox
  /** The keys of the timers armed now. */
  armed(): ReadonlyArray<string>
}>()("@parley/runtime/Controlled") {
  /** Controlled Timers, PeerMessages and Forwarding, and the Controlled service that drives them. */
  static readonly layer = Layer.effectContext(Effect.gen(function*() {
    const inbox = yield* Inbox
    let sent: Array<Outbox["sent"][number]> = []
    let replies: Array<Outbox["replies"][number]> = []
    const armed = new Map<string, { readonly timer: unknown; readonly generation: number }>()
    const generations = new Map<string, number>()
    const bump = (key: string): number => {
      const generation = (generations.get(key) ?? 0) + 1
      generations.set(key, generation)
      return generation
    }
    /** Steps waiting for the end of the batch that holds their event. */
    let waiting: Array<Deferred.Deferred<void>> = []

    const timers = Timers.of({
      set: (timer) => {
        const key = timerKey(timer)
        armed.set(key, { timer, generation: bump(key) })
      },
      cancel: (timer) => {
        const key = timerKey(timer)
        bump(key)
        armed.delete(key)
      },
      isCurrent: (key, generation) => generations.get(key) === generation
    })

    // The loop flushes once at the end of every batch. With the inbox empty
    // then, every event offered before was in that batch or an earlier one.
    const flush = (): void => {
      if (inbox.size !== 0) return
      const done = waiting
      waiting = []
      for (const deferred of done) Deferred.doneUnsafe(deferred, Effect.void)
    }

    const peers = PeerMessages.of({ send: (to, message) => void sent.push({ to, message }), flush })

    const forwarding = Forwarding.of({
      // A controlled node's requests come from the replayer straight to the reducer; none is forwarded.
      forward: () => undefined,
      answerForwarded: (client, response) => {
        replies.push({ client, response })
        return true
      },
      pending: () => 0
    })

    const offer = (event: ControlEvent): string | undefined => {
      switch (event._tag) {
        case "Message":
          inbox.offer({ _tag: "Message", from: event.from, message: event.message })
          return undefined
        case "Request":
          inbox.offer({ _tag: "Request", client: event.client, request: event.request })
          return undefined
        case "Timer": {
          const timer = armed.get(event.key)
          if (timer === undefined) return `timer ${event.key} is not armed; armed: ${[...armed.keys()].join(", ") || "none"}`
          armed.delete(event.key)
          inbox.offer({ _tag: "Timer", timer: timer.timer, key: event.key, generation: timer.generation })
          return undefined
        }
      }
    }

    const step = (event: ControlEvent) =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<void>()
        const refused = yield* Effect.sync(() => {
          waiting.push(done)
          return offer(event)
        })
        if (refused !== undefined) {
          waiting = waiting.filter((other) => other !== done)
          return refused
        }
        const finished = yield* Deferred.await(done).pipe(Effect.timeoutOption(stepTimeout))
        return Option.isSome(finished) ? undefined : `the node loop did not finish the step within ${Duration.format(stepTimeout)}`
      })

    const controlled = Controlled.of({
      step,
      takeOutbox: () => {
        const outbox = { sent, replies }
        sent = []
        replies = []
        return outbox
      },
      armed: () => [...armed.keys()]
    })
    return Context.make(Controlled, controlled).pipe(
      Context.add(Timers, timers),
      Context.add(PeerMessages, peers),
      Context.add(Forwarding, forwarding)
    )
  }))
}

/**
 * The node's config in controlled mode: requests go to the reducer as the
 * replayer gives them, unstamped, since a trace's requests carry the
 * model's (absent) time and a stamp from this clock would make the state
 * differ from the trace's; and a batch's outputs are performed together
 * after its save, as the checker's step is one, so none leaves early.
 */
export const checkerSteps = Layer.updateService(NodeConfig, (config) => {
  const { stampRequest: _dropped, sendsBeforeSave: _atomic, ...hosted } = config.hosted
  return NodeConfig.of({ ...config, hosted })
})
