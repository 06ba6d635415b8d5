import { Context, Effect } from "effect"
import { Refused } from "./api.ts"
import { ModelCache } from "./catalog.ts"
import type { Built, SpecCatalog } from "./catalog.ts"
import type { Location } from "./location.ts"
import { walk } from "./walk.ts"
import type { Walk } from "./walk.ts"

/** The specs the explorer shows, their models as built lately, and where the page starts. */
export class Specs extends Context.Service<Specs, {
  readonly models: ModelCache
  readonly start: Location
}>()("@parley/explore/Specs") {}

export interface Reached {
  readonly built: Built
  readonly walked: Walk<unknown, unknown>
}

/** A location's model and the states along its path, or why the location is none: the sentence the page and the command line show. */
export const locate = (models: ModelCache, location: Location): Reached | string => {
  const built = models.modelAt(location)
  if (typeof built === "string") return built
  const walked = walk(built.model, location.init, location.path)
  return typeof walked === "string" ? `${location.spec}: ${walked}` : { built, walked }
}

export const reach = (models: ModelCache, location: Location): Effect.Effect<Reached, Refused> =>
  Effect.suspend(() => {
    const reached = locate(models, location)
    return typeof reached === "string" ? Effect.fail(new Refused({ message: reached })) : Effect.succeed(reached)
  })

/** Why `location` is no state of its spec, or undefined when it is one: for a command line that starts there. */
export const locationProblem = (catalog: SpecCatalog, location: Location): string | undefined => {
  const reached = locate(new ModelCache(catalog), location)
  return typeof reached === "string" ? reached : undefined
}
