import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { HttpApiBuilder, HttpApiError } from "effect/http-api"
import { createServer } from "node:http"
import { ExploreApi } from "./api.ts"
import { ModelCache } from "./catalog.ts"
import type { SpecCatalog } from "./catalog.ts"
import { handlersLayer } from "./handlers.ts"
import type { Location } from "./location.ts"
import { explorerPage } from "./page.ts"
import { Specs } from "./specs.ts"

export interface ExplorerOptions {
  readonly catalog: SpecCatalog
  /** Where the page starts when its URL names no location. */
  readonly start: Location
  /** 0: a free port the system picks. */
  readonly port: number
}

/** Loopback only: the explorer runs a user's specs and checks on request, for that user. */
export const explorerHost = "127.0.0.1"

/**
 * A request whose body or parameters do not fit their Schema gets an empty
 * 400 from HttpApi; here it gets the Schema's words for what does not fit,
 * in the shape of every other refusal.
 */
const explainUnfitRequests = HttpRouter.middleware((httpEffect) =>
  Effect.catchDefect(httpEffect, (defect) =>
    HttpApiError.HttpApiSchemaError.is(defect) && defect.kind !== "ResponseHeaders" && defect.kind !== "Body"
      ? Effect.succeed(HttpServerResponse.jsonUnsafe({
        _tag: "Refused",
        message: `the request's ${defect.kind.toLowerCase()} does not fit: ${defect.cause.message.replace(/\s*\n\s*/g, " ")}`
      }, { status: 400 }))
      : Effect.die(defect)), { global: true })

const pageRoute = HttpRouter.add("GET", "/", Effect.promise(explorerPage).pipe(Effect.map((page) => HttpServerResponse.html(page))))

/** The explorer's routes: the page at `/`, the JSON API under `/api`, its OpenAPI description at `/api/openapi.json`. */
export const explorerRoutes = (options: Pick<ExplorerOptions, "catalog" | "start">) =>
  Layer.mergeAll(HttpApiBuilder.layer(ExploreApi, { openapiPath: "/api/openapi.json" }), pageRoute, explainUnfitRequests).pipe(
    Layer.provide(handlersLayer),
    Layer.provide(Layer.succeed(Specs, { models: new ModelCache(options.catalog), start: options.start }))
  )

/**
 * Serves the explorer on loopback for as long as the scope lasts; its URL.
 * Closing the scope stops the server and any check still running.
 */
export const serveExplorer = (options: ExplorerOptions) =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      HttpRouter.serve(explorerRoutes(options), { disableListenLog: true, disableLogger: true }).pipe(
        Layer.provideMerge(NodeHttpServer.layer(createServer, { port: options.port, host: explorerHost }))
      )
    )
    const { address } = Context.get(context, HttpServer.HttpServer)
    return { url: address._tag === "UnixPathAddress" ? `http://${explorerHost}/` : `http://${explorerHost}:${address.port}/` }
  })
