/**
 * Timers on the real clock. Setting a timer that is armed re-arms it with a
 * fresh delay, drawn from its kind's range; cancelling disarms it. The
 * generation each timer carries lets the loop drop a firing that was
 * overtaken by a later set or cancel.
 *
 * Re-arming moves a deadline, not a Node timer: a follower re-arms its
 * election timer on every AppendEntries, and clearing and setting a Node
 * timer each time (a new timer list for each random delay) was a few
 * percent of its CPU a write. A Node timer runs only to the earliest
 * deadline it was set for; when it fires before the timer's deadline, it
 * is set again for the rest, and when a timer is re-armed earlier than
 * that, it is set again at once.
 */
import { Context, Effect, Layer } from "effect"
import { Inbox, offerEvent } from "./inbox.ts"
import { NodeConfig } from "./node-config.ts"

/** A deadline within this of now is due: Node's timers have millisecond resolution. */
const dueWithinMs = 1

interface Armed {
  timer: unknown
  generation: number
  /** When the timer is due (performance.now()). */
  deadline: number
  /** The Node timer that runs until then, or sooner, and when it fires. */
  handle: ReturnType<typeof setTimeout>
  fires: number
}

export class Timers extends Context.Service<Timers, {
  set(timer: unknown): void
  cancel(timer: unknown): void
  /** Whether a fired timer event is still the timer's latest arming. */
  isCurrent(key: string, generation: number): boolean
}>()("@parley/runtime/Timers") {
  static readonly layer = Layer.effect(
    Timers,
    Effect.gen(function*() {
      const { hosted, timers: ranges } = yield* NodeConfig
      const inbox = yield* Inbox
      const armed = new Map<string, Armed>()
      const generations = new Map<string, number>()
      const bump = (key: string): number => {
        const generation = (generations.get(key) ?? 0) + 1
        generations.set(key, generation)
        return generation
      }
      const fire = (key: string): void => {
        const timer = armed.get(key)
        if (timer === undefined) return
        const rest = timer.deadline - performance.now()
        if (rest > dueWithinMs) {
          timer.handle = nodeTimer(key, rest)
          timer.fires = timer.deadline
          return
        }
        armed.delete(key)
        offerEvent(inbox, { _tag: "Timer", timer: timer.timer, key, generation: timer.generation })
      }
      const nodeTimer = (key: string, delay: number): ReturnType<typeof setTimeout> => setTimeout(() => fire(key), delay)
      yield* Effect.addFinalizer(() => Effect.sync(() => armed.forEach((timer) => clearTimeout(timer.handle))))
      return Timers.of({
        set: (timer) => {
          const kind = hosted.timerKind(timer)
          // Only the model's environment fires these (a replay's, by its control channel): a host never arms them.
          if (hosted.environmentTimers?.[kind] !== undefined) return
          const key = JSON.stringify(timer)
          const generation = bump(key)
          const range = ranges[kind]!
          const delay = range.minMs + Math.random() * (range.maxMs - range.minMs)
          const deadline = performance.now() + delay
          const current = armed.get(key)
          if (current === undefined) {
            armed.set(key, { timer, generation, deadline, handle: nodeTimer(key, delay), fires: deadline })
            return
          }
          current.timer = timer
          current.generation = generation
          current.deadline = deadline
          // A Node timer that fires by the new deadline is kept; one set for later is set again.
          if (current.fires > deadline) {
            clearTimeout(current.handle)
            current.handle = nodeTimer(key, delay)
            current.fires = deadline
          }
        },
        cancel: (timer) => {
          const key = JSON.stringify(timer)
          bump(key)
          const current = armed.get(key)
          if (current !== undefined) clearTimeout(current.handle)
          armed.delete(key)
        },
        isCurrent: (key, generation) => generations.get(key) === generation
      })
    })
  )
}
