import type { CheckRequest, CheckStatus } from "../check-status.ts"
import type { Location } from "../location.ts"
import type { Catalog, StateView, TraceWalk } from "../views.ts"

/** What the server said: the answer, or its refusal's sentence. */
export type Answer<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string }

const call = async <A>(method: string, path: string, body?: string, contentType = "application/json"): Promise<Answer<A>> => {
  try {
    const response = await fetch(path, body === undefined ? { method } : { method, body, headers: { "content-type": contentType } })
    const text = await response.text()
    // The server's answers are its API's Schemas, encoded; the page trusts its own server.
    const parsed: unknown = text === "" ? undefined : JSON.parse(text)
    if (response.ok) return { ok: true, value: parsed as A }
    const message = typeof parsed === "object" && parsed !== null && "message" in parsed ? String(parsed.message) : `the server answered ${response.status}`
    return { ok: false, message }
  } catch (error) {
    return { ok: false, message: `the explorer's server does not answer (${error instanceof Error ? error.message : String(error)}); is parley explore still running?` }
  }
}

export const api = {
  catalog: () => call<Catalog>("GET", "/api/catalog"),
  view: (location: Location) => call<StateView>("POST", "/api/view", JSON.stringify(location)),
  walkTrace: (text: string) => call<TraceWalk>("POST", "/api/traces", text, "text/plain"),
  startCheck: (request: CheckRequest) => call<CheckStatus>("POST", "/api/checks", JSON.stringify(request)),
  check: (id: string) => call<CheckStatus>("GET", `/api/checks/${encodeURIComponent(id)}`),
  cancelCheck: (id: string) => call<CheckStatus>("DELETE", `/api/checks/${encodeURIComponent(id)}`)
}
