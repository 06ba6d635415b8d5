import { describeAllowed } from "@parley/core"
import type { SpecDefinition } from "@parley/core"
import { decodeTrace } from "@parley/trace"
import { Effect, Layer, Result } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ExploreApi, Refused } from "./api.ts"
import { Checks } from "./checks.ts"
import { reach, Specs } from "./specs.ts"
import { walkTrace } from "./trace-walk.ts"
import { stateView } from "./view.ts"
import type { SpecSummary } from "./views.ts"

const summary = (spec: SpecDefinition): SpecSummary => ({
  name: spec.name,
  description: spec.description,
  options: spec.options.map((option) => ({
    name: option.name,
    description: option.description,
    kind: option.kind,
    default: option.default,
    allowed: describeAllowed(option)
  })),
  variants: spec.variants.map((variant) => ({ name: variant.name, description: variant.description }))
})

/** A reducer that throws while being shown is the spec's bug: say so, rather than answer 500. */
const specThrew = (spec: string) => (error: unknown) =>
  new Refused({ message: `spec ${spec} threw: ${error instanceof Error ? error.message : String(error)}` })

export const exploreHandlers = HttpApiBuilder.group(ExploreApi, "explore", Effect.fnUntraced(function*(handlers) {
  const { models, start } = yield* Specs
  return handlers
    .handle("catalog", () => Effect.succeed({ start, specs: models.catalog.specs.map(summary) }))
    .handle("view", ({ payload: location }) =>
      reach(models, location).pipe(
        Effect.flatMap(({ built, walked }) => Effect.try({ try: () => stateView(built, location, walked), catch: specThrew(location.spec) }))
      ))
    .handle("walkTrace", ({ payload: text }) =>
      Effect.gen(function*() {
        const trace = decodeTrace(text)
        if (Result.isFailure(trace)) return yield* new Refused({ message: trace.failure.message })
        const walked = yield* Effect.try({ try: () => walkTrace(models, trace.success), catch: specThrew(trace.success.spec) })
        return typeof walked === "string" ? yield* new Refused({ message: walked }) : walked
      }))
}))

export const checkHandlers = HttpApiBuilder.group(ExploreApi, "checks", Effect.fnUntraced(function*(handlers) {
  const checks = yield* Checks
  return handlers
    .handle("start", ({ payload }) => checks.start(payload))
    .handle("list", () => checks.list)
    .handle("status", ({ params }) => checks.status(params.id))
    .handle("cancel", ({ params }) => checks.cancel(params.id))
}))

export const handlersLayer = Layer.mergeAll(exploreHandlers, checkHandlers.pipe(Layer.provide(Checks.layer)))
