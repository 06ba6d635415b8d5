import { buildTrace, Search, validateCheckOptions } from "@parley/checker"
import type { CheckOptions, CheckResult, Progress } from "@parley/checker"
import { traceView } from "@parley/web"
import type { Built } from "./catalog.ts"
import { Context, Effect, FiberMap, Layer } from "effect"
import { CheckNotFound, CheckRunning, Refused } from "./api.ts"
import { buildModel } from "./catalog.ts"
import { defaultMaxStates } from "./check-status.ts"
import type { CheckOutcome, CheckProgress, CheckRequest, CheckStatus } from "./check-status.ts"
import { startingAt } from "./from-state.ts"
import { reach, Specs } from "./specs.ts"
import { walk } from "./walk.ts"

/** Finished checks kept for the page to read; older ones are forgotten. */
const keptFinished = 20

const noProgress: CheckProgress = { distinctStates: 0, depth: 0, statesPerSec: 0, elapsedMs: 0 }

const progressOf = (p: Progress): CheckProgress => ({
  distinctStates: p.distinctStates,
  depth: p.depth,
  statesPerSec: p.statesPerSec,
  elapsedMs: p.elapsedMs
})

/** A check's result, its counterexample's path continued from the path checked from, and what it shows. */
const outcomeOf = (request: CheckRequest, built: Built, result: CheckResult): CheckOutcome => {
  const { location } = request
  const violation = result.violation
  const base = { result: result.result, distinctStates: result.distinctStates, maxDepth: result.maxDepth, unreached: result.unreached }
  if (violation === undefined) return base
  const path = { initIndex: location.init, actionIndices: [...location.path, ...violation.path.actionIndices] }
  const loopStart = violation.loopStart === undefined ? undefined : location.path.length + violation.loopStart
  const meta = { spec: built.definition.name, config: built.config, property: { name: violation.property, kind: violation.kind }, ...(loopStart === undefined ? {} : { loopStart }) }
  // The counterexample as `parley check` would write it, read as its trace page reads it.
  const verdict = traceView(buildTrace(built.model, meta, path)).verdict
  return {
    ...base,
    property: violation.property,
    kind: violation.kind,
    counterexample: { ...location, path: path.actionIndices },
    ...(loopStart === undefined ? {} : { loopStart }),
    ...(verdict === null ? {} : { verdict })
  }
}

/**
 * "Check from here": searches run in the background, one at a time, each a
 * fiber in a map the server's scope owns, so closing the server stops them.
 * A search yields to the event loop between slices of states, so the page
 * is served meanwhile; cancelling interrupts the fiber, which aborts the
 * search's signal, and the search stops after the state it is on.
 */
export class Checks extends Context.Service<Checks, {
  start(request: CheckRequest): Effect.Effect<CheckStatus, Refused | CheckRunning>
  status(id: string): Effect.Effect<CheckStatus, CheckNotFound>
  cancel(id: string): Effect.Effect<CheckStatus, CheckNotFound>
  readonly list: Effect.Effect<ReadonlyArray<CheckStatus>>
}>()("@parley/explore/Checks") {
  static readonly layer = Layer.effect(Checks, Effect.gen(function*() {
    const { models } = yield* Specs
    const fibers = yield* FiberMap.make<string>()
    const checks = new Map<string, CheckStatus>()
    let counter = 0

    const update = (id: string, change: Partial<CheckStatus>): void => {
      const current = checks.get(id)
      if (current !== undefined) checks.set(id, { ...current, ...change })
    }

    const forgetOld = (): void => {
      const finished = [...checks.values()].filter((check) => check.status !== "running")
      for (const check of finished.slice(0, Math.max(0, finished.length - keptFinished))) checks.delete(check.id)
    }

    const found = (id: string) =>
      Effect.suspend(() => {
        const check = checks.get(id)
        return check === undefined ? Effect.fail(new CheckNotFound({ message: `no check ${id}; it may have been forgotten (the last ${keptFinished} are kept)` })) : Effect.succeed(check)
      })

    const start = Effect.fnUntraced(function*(request: CheckRequest) {
      const running = [...checks.values()].find((check) => check.status === "running")
      if (running !== undefined) return yield* new CheckRunning({ message: `check ${running.id} is running; cancel it or wait for it to end`, id: running.id })
      const { built } = yield* reach(models, request.location)
      const own = buildModel(built)
      if (typeof own === "string") return yield* new Refused({ message: own })
      // The state is walked again on the check's own model: an actor system's
      // states are words of parts that only the model which made them can read.
      const ownWalk = walk(own.model, request.location.init, request.location.path)
      if (typeof ownWalk === "string") return yield* new Refused({ message: ownWalk })
      const model = startingAt(own.model, ownWalk.states[ownWalk.states.length - 1])
      const id = `c${++counter}`
      const options: CheckOptions = {
        strategy: request.strategy,
        deadlock: request.deadlock,
        liveness: request.liveness,
        maxStates: request.maxStates ?? defaultMaxStates,
        ...(request.maxDepth === undefined ? {} : { maxDepth: request.maxDepth }),
        progressIntervalMs: 250,
        onProgress: (p) => update(id, { progress: progressOf(p) })
      }
      const problems = validateCheckOptions(options, { model, modelName: request.location.spec })
      if (problems.length > 0) return yield* new Refused({ message: problems.join("; ") })
      const status: CheckStatus = { id, request, status: "running", progress: noProgress }
      checks.set(id, status)
      forgetOld()
      const search = Effect.tryPromise({
        try: (signal) => new Search(model, { ...options, signal }).runInterruptibly(),
        catch: (error) => error instanceof Error ? error.message : String(error)
      }).pipe(
        Effect.match({
          onSuccess: (result) =>
            update(id, {
              status: "done",
              progress: { distinctStates: result.distinctStates, depth: result.maxDepth, statesPerSec: result.statesPerSec, elapsedMs: result.elapsedMs },
              outcome: outcomeOf(request, own, result)
            }),
          onFailure: (error) => update(id, { status: "failed", error: `${request.location.spec} failed while being checked: ${error}` })
        }),
        Effect.onInterrupt(() => Effect.sync(() => update(id, { status: "cancelled" })))
      )
      yield* FiberMap.run(fibers, id, search)
      return status
    })

    return Checks.of({
      start,
      status: found,
      cancel: (id) => found(id).pipe(Effect.tap(FiberMap.remove(fibers, id)), Effect.andThen(found(id))),
      list: Effect.sync(() => [...checks.values()])
    })
  }))
}
