/**
 * The client API's routes, read from a request line before any body:
 *   GET    /v1/status                 this node's role, term, leader, commit and applied index
 *   PUT    /v1/kv/{key}               body is the value; 200 once committed
 *   GET    /v1/kv/{key}               200 with the value, 404 when absent
 *   DELETE /v1/kv/{key}
 *   POST   /v1/kv/{key}/cas           body {"expected": string | null, "value": string}
 *   POST   /v1/admin/partition        body {"blocked": [node ids]}: drop traffic with them
 * Key-value routes take `?timeout=MS` (default 5000): how long to wait for a
 * leader to commit the operation before answering 503.
 */

export type KvAction = "put" | "get" | "delete" | "cas"

export type Route =
  | { readonly _tag: "Status" }
  | { readonly _tag: "Kv"; readonly action: KvAction; readonly key: string; readonly timeoutMs: number }
  | { readonly _tag: "Partition" }

export interface RouteError {
  readonly _tag: "RouteError"
  readonly status: number
  readonly error: string
  readonly allow?: string
}

export const defaultTimeoutMs = 5000
export const maxTimeoutMs = 60_000
export const maxKeyBytes = 1024
export const maxBodyBytes = 1024 * 1024

const refuse = (status: number, error: string, allow?: string): RouteError =>
  allow === undefined ? { _tag: "RouteError", status, error } : { _tag: "RouteError", status, error, allow }

const only = (method: string, allowed: string, route: Route): Route | RouteError =>
  method === allowed ? route : refuse(405, `${method} is not allowed here; use ${allowed}`, allowed)

const kvMethods: Readonly<Record<string, KvAction>> = { PUT: "put", GET: "get", DELETE: "delete" }

export const route = (method: string, url: string): Route | RouteError => {
  let parsed: URL
  try {
    parsed = new URL(url, "http://localhost")
  } catch {
    return refuse(400, `the request target ${JSON.stringify(url)} is not a valid URL`)
  }
  const path = parsed.pathname
  if (path === "/v1/status") return only(method, "GET", { _tag: "Status" })
  if (path === "/v1/admin/partition") return only(method, "POST", { _tag: "Partition" })
  if (!path.startsWith("/v1/kv/")) return refuse(404, `no route ${path}; routes: /v1/kv/{key}, /v1/kv/{key}/cas, /v1/status`)
  const timeoutMs = timeoutOf(parsed.searchParams.get("timeout"))
  if (typeof timeoutMs === "string") return refuse(400, timeoutMs)
  const cas = method === "POST" && path.endsWith("/cas")
  const key = keyOf(path.slice("/v1/kv/".length, cas ? -"/cas".length : undefined))
  if (key._tag === "RouteError") return key
  const action = cas ? "cas" : kvMethods[method]
  if (action === undefined) return refuse(405, `${method} is not allowed on a key; use GET, PUT, DELETE, or POST to {key}/cas`, "GET, PUT, DELETE")
  return { _tag: "Kv", action, key: key.key, timeoutMs }
}

const keyOf = (encoded: string): { readonly _tag: "Key"; readonly key: string } | RouteError => {
  let key: string
  try {
    key = decodeURIComponent(encoded)
  } catch {
    return refuse(400, `the key ${JSON.stringify(encoded)} is not valid percent-encoding`)
  }
  if (key.length === 0) return refuse(400, "the key is empty")
  if (Buffer.byteLength(key) > maxKeyBytes) return refuse(400, `the key is longer than ${maxKeyBytes} bytes`)
  return { _tag: "Key", key }
}

const timeoutOf = (text: string | null): number | string => {
  if (text === null) return defaultTimeoutMs
  const ms = Number(text)
  if (!/^\d+$/.test(text) || ms < 1 || ms > maxTimeoutMs) return `timeout must be a whole number of milliseconds from 1 to ${maxTimeoutMs}, got ${JSON.stringify(text)}`
  return ms
}
