/**
 * Timers on the real clock. Setting a timer that is armed re-arms it with a
 * fresh delay, drawn from its kind's range; cancelling disarms it. The
 * generation each timer carries lets the loop drop a firing that was
 * overtaken by a later set or cancel.
 */
import { Context, Effect, Layer } from "effect"
import { Inbox, offerEvent } from "./inbox.ts"
import { NodeConfig } from "./node-config.ts"

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
      const armed = new Map<string, ReturnType<typeof setTimeout>>()
      const generations = new Map<string, number>()
      const bump = (key: string): number => {
        const generation = (generations.get(key) ?? 0) + 1
        generations.set(key, generation)
        const pending = armed.get(key)
        if (pending !== undefined) clearTimeout(pending)
        armed.delete(key)
        return generation
      }
      yield* Effect.addFinalizer(() => Effect.sync(() => armed.forEach((handle) => clearTimeout(handle))))
      return Timers.of({
        set: (timer) => {
          const kind = hosted.timerKind(timer)
          // Only the model's environment fires these (a replay's, by its control channel): a host never arms them.
          if (hosted.environmentTimers?.[kind] !== undefined) return
          const key = JSON.stringify(timer)
          const generation = bump(key)
          const range = ranges[kind]!
          const delay = range.minMs + Math.random() * (range.maxMs - range.minMs)
          armed.set(key, setTimeout(() => {
            armed.delete(key)
            offerEvent(inbox, { _tag: "Timer", timer, key, generation })
          }, delay))
        },
        cancel: (timer) => {
          bump(JSON.stringify(timer))
        },
        isCurrent: (key, generation) => generations.get(key) === generation
      })
    })
  )
}
