import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { CheckRequest, CheckStatus } from "./check-status.ts"
import { Location } from "./location.ts"
import { Catalog, StateView, TraceWalk } from "./views.ts"

/** The request names something that is not there or does not fit: an unknown spec, an option out of range, a path that is not one. */
export class Refused extends Schema.TaggedError<Refused>()("Refused", { message: Schema.String }, { httpApiStatus: 400 }) {}

export class CheckNotFound extends Schema.TaggedError<CheckNotFound>()("CheckNotFound", { message: Schema.String }, { httpApiStatus: 404 }) {}

/** One check runs at a time: a search uses a core and much memory. */
export class CheckRunning extends Schema.TaggedError<CheckRunning>()("CheckRunning", { message: Schema.String, id: Schema.String }, { httpApiStatus: 409 }) {}

export class ExploreGroup extends HttpApiGroup.make("explore")
  .add(
    HttpApiEndpoint.get("catalog", "/catalog", { success: Catalog }),
    HttpApiEndpoint.post("view", "/view", { payload: Location, success: StateView, error: Refused }),
    HttpApiEndpoint.post("walkTrace", "/traces", {
      // Read as text, so a file that is not a trace is named as such (`decodeTrace`) rather than as a schema mismatch.
      payload: Schema.String.pipe(HttpApiSchema.asText()),
      success: TraceWalk,
      error: Refused
    })
  )
  .annotateMerge(OpenApi.annotations({ title: "Explore", description: "Walk a spec's states: where a path leads, what is enabled there" }))
{}

export class ChecksGroup extends HttpApiGroup.make("checks")
  .add(
    HttpApiEndpoint.post("start", "/checks", { payload: CheckRequest, success: CheckStatus, error: [Refused, CheckRunning] }),
    HttpApiEndpoint.get("list", "/checks", { success: Schema.Array(CheckStatus) }),
    HttpApiEndpoint.get("status", "/checks/:id", { params: { id: Schema.String }, success: CheckStatus, error: CheckNotFound }),
    HttpApiEndpoint.delete("cancel", "/checks/:id", { params: { id: Schema.String }, success: CheckStatus, error: CheckNotFound })
  )
  .annotateMerge(OpenApi.annotations({ title: "Checks", description: "Check from a state in the background, with progress, cancellable" }))
{}

/** The explorer's JSON API, under `/api`; its OpenAPI description is served at `/api/openapi.json`. */
export class ExploreApi extends HttpApi.make("parley-explore")
  .add(ExploreGroup)
  .add(ChecksGroup)
  .prefix("/api")
  .annotateMerge(OpenApi.annotations({ title: "parley explore" }))
{}
