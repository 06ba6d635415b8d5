import { Effect, Exit, Scope } from "effect"
import { serveExplorer } from "../src/server.ts"
import type { Location } from "../src/location.ts"
import { testCatalog } from "./fixture.ts"

export interface Answer {
  readonly status: number
  readonly body: unknown
}

/** An explorer on a free loopback port, and its close; every request bounded by 30 s. */
export const startExplorer = async (start: Location) => {
  const scope = Effect.runSync(Scope.make())
  const { url } = await Effect.runPromise(serveExplorer({ catalog: testCatalog, start, port: 0 }).pipe(Scope.provide(scope)))
  const request = async (method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Answer> => {
    const response = await fetch(new URL(path, url), {
      method,
      signal: AbortSignal.timeout(30_000),
      ...(body === undefined ? {} : { headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    const text = await response.text()
    return { status: response.status, body: text === "" ? undefined : response.headers.get("content-type")?.includes("json") === true ? JSON.parse(text) : text }
  }
  return { url, request, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
