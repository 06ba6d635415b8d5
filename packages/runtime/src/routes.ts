/**
 * The client API's routes, read from a request line before any body: the
 * hosted spec's own (its `api.routes`, such as the key-value store's) and
 * the host's:
 *   GET    /v1/status                 this node's id, the spec's status fields, the nodes it blocks,
 *                                      the forwarded requests it holds the way back for
 *   POST   /v1/admin/partition        body {"blocked": [node ids]}: drop traffic with them
 *   POST   /v1/admin/hold             body {"held": [node ids]}: keep what this node sends them until
 *                                      a later call leaves them out
 *   GET    /metrics                   the node's metrics, in Prometheus's text format
 *   GET    /v1/openapi.json           the OpenAPI description of all of these (api-description.ts)
 * Every spec route takes `?timeout=MS` (default 5000): how long to wait for
 * the cluster's answer before answering 503, and the headers Parley-Client
 * and Parley-Seq that name the client's own session (session-headers.ts).
 */
import type { ClientRoute } from "@parley/core"

export type Route<Req, A> =
  | { readonly _tag: "Status" }
  | { readonly _tag: "Partition" }
  | { readonly _tag: "Hold" }
  | { readonly _tag: "Metrics" }
  | { readonly _tag: "OpenApi" }
  | {
    readonly _tag: "Call"
    readonly route: ClientRoute<Req, A>
    /** The path's parameters, percent-decoded, over the query's (but `timeout`, which is the host's). */
    readonly params: Readonly<Record<string, string>>
    readonly timeoutMs: number
  }

export interface RouteError {
  readonly _tag: "RouteError"
  readonly status: number
  readonly error: string
  readonly allow?: string
}

export const defaultTimeoutMs = 5000
export const maxTimeoutMs = 60_000
export const maxParamBytes = 1024
export const maxBodyBytes = 1024 * 1024

const refuse = (status: number, error: string, allow?: string): RouteError =>
  allow === undefined ? { _tag: "RouteError", status, error } : { _tag: "RouteError", status, error, allow }

const only = <Req, A>(method: string, allowed: string, route: Route<Req, A>): Route<Req, A> | RouteError =>
  method === allowed ? route : refuse(405, `${method} is not allowed here; use ${allowed}`, allowed)

/** A route's path template as a pattern: each `{name}` captures any text, slashes included, up to what follows it. */
interface Template<Req, A> {
  readonly route: ClientRoute<Req, A>
  readonly pattern: RegExp
  readonly names: ReadonlyArray<string>
  /** Characters outside the parameters: where two templates match, the one with more is the more specific. */
  readonly literal: number
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^$()|[\]\\]/g, "\\$&")

const templateOf = <Req, A>(route: ClientRoute<Req, A>): Template<Req, A> => {
  const names: Array<string> = []
  const parts = route.path.split(/\{([^}]+)\}/)
  const source = parts.map((part, i) => (i % 2 === 1 ? (names.push(part), "(.*)") : escapeRegExp(part))).join("")
  const literal = parts.filter((_, i) => i % 2 === 0).join("").length
  return { route, pattern: new RegExp(`^${source}$`), names, literal }
}

/**
 * A path that a URL parser gives back as it is: no dot segment (nor a
 * percent-encoded dot), no character it would encode, and not `//`, which
 * it would read as a host.
 */
const plainPath = /^\/(?!\/)(?:[A-Za-z0-9\-_~!$&'()*+,;=:@%]|\/|\.(?<!\/\.))*$/
/** A query whose parameters read the same whether a URL parser encodes it first or not. */
const plainQuery = /^[A-Za-z0-9\-_~!$&'()*+,;=:@%/?.]*$/

/**
 * The path and the query of a request target, as the WHATWG URL parser
 * reads them; a plain path (and query) is split without one, which every
 * request would otherwise pay for.
 */
export const requestTarget = (url: string): { readonly path: string; readonly query: URLSearchParams } | undefined => {
  const mark = url.indexOf("?")
  const path = mark < 0 ? url : url.slice(0, mark)
  const query = mark < 0 ? "" : url.slice(mark + 1)
  // URLSearchParams drops one leading "?" of its text, which the query's own first character may be.
  if (plainPath.test(path) && !/%2e/i.test(path) && plainQuery.test(query)) return { path, query: new URLSearchParams(`?${query}`) }
  try {
    const parsed = new URL(url, "http://localhost")
    return { path: parsed.pathname, query: parsed.searchParams }
  } catch {
    return undefined
  }
}

/** Reads a request line into one of `routes` (a spec's) or a host route, or says why it fits none. */
export const makeRouter = <Req, A>(routes: ReadonlyArray<ClientRoute<Req, A>>) => {
  const templates = routes.map(templateOf)
  const listed = [...new Set(routes.map((route) => route.path)), "/v1/status"].join(", ")
  return (method: string, url: string): Route<Req, A> | RouteError => {
    const target = requestTarget(url)
    if (target === undefined) return refuse(400, `the request target ${JSON.stringify(url)} is not a valid URL`)
    const { path, query } = target
    if (path === "/v1/status") return only(method, "GET", { _tag: "Status" })
    if (path === "/v1/admin/partition") return only(method, "POST", { _tag: "Partition" })
    if (path === "/v1/admin/hold") return only(method, "POST", { _tag: "Hold" })
    if (path === "/metrics") return only(method, "GET", { _tag: "Metrics" })
    if (path === "/v1/openapi.json") return only(method, "GET", { _tag: "OpenApi" })
    let chosen: { readonly template: Template<Req, A>; readonly captured: RegExpExecArray } | undefined
    const allowed: Array<string> = []
    for (const template of templates) {
      const captured = template.pattern.exec(path)
      if (captured === null) continue
      if (!allowed.includes(template.route.method)) allowed.push(template.route.method)
      if (template.route.method === method && (chosen === undefined || template.literal > chosen.template.literal)) chosen = { template, captured }
    }
    if (allowed.length === 0) return refuse(404, `no route ${path}; routes: ${listed}`)
    if (chosen === undefined) return refuse(405, `${method} is not allowed on ${path}; use ${allowed.join(", ")}`, allowed.join(", "))
    const timeoutMs = timeoutOf(query.get("timeout"))
    if (typeof timeoutMs === "string") return refuse(400, timeoutMs)
    const params: Record<string, string> = {}
    for (const [name, value] of query) if (name !== "timeout") params[name] = value
    const { template, captured } = chosen
    for (let i = 0; i < template.names.length; i++) {
      const value = paramOf(template.names[i]!, captured[i + 1]!)
      if (typeof value !== "string") return value
      params[template.names[i]!] = value
    }
    return { _tag: "Call", route: template.route, params, timeoutMs }
  }
}

const paramOf = (name: string, encoded: string): string | RouteError => {
  let value: string
  try {
    value = decodeURIComponent(encoded)
  } catch {
    return refuse(400, `the ${name} ${JSON.stringify(encoded)} is not valid percent-encoding`)
  }
  if (value.length === 0) return refuse(400, `the ${name} is empty`)
  if (Buffer.byteLength(value) > maxParamBytes) return refuse(400, `the ${name} is longer than ${maxParamBytes} bytes`)
  return value
}

const timeoutOf = (text: string | null): number | string => {
  if (text === null) return defaultTimeoutMs
  const ms = Number(text)
  if (!/^\d+$/.test(text) || ms < 1 || ms > maxTimeoutMs) return `timeout must be a whole number of milliseconds from 1 to ${maxTimeoutMs}, got ${JSON.stringify(text)}`
  return ms
}
