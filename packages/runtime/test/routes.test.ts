import { kvRoutes } from "@parley/kv"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { defaultTimeoutMs, makeRouter, requestTarget } from "../src/routes.ts"

const route = makeRouter(kvRoutes)

/** What a request line was read as: the route's method and template with its parameters, or the host route's tag. */
const read = (method: string, url: string) => {
  const target = route(method, url)
  return target._tag === "Call" ? { method: target.route.method, path: target.route.path, params: target.params, timeoutMs: target.timeoutMs } : target
}

describe("client API routes", () => {
  it("map methods and paths to a spec's routes, with their parameters and the timeout", () => {
    expect(read("PUT", "/v1/kv/a")).toEqual({ method: "PUT", path: "/v1/kv/{key}", params: { key: "a" }, timeoutMs: defaultTimeoutMs })
    expect(read("GET", "/v1/kv/dir%2Fname?timeout=250")).toEqual({ method: "GET", path: "/v1/kv/{key}", params: { key: "dir/name" }, timeoutMs: 250 })
    expect(read("DELETE", "/v1/kv/a/b")).toEqual({ method: "DELETE", path: "/v1/kv/{key}", params: { key: "a/b" }, timeoutMs: defaultTimeoutMs })
    expect(read("POST", "/v1/kv/a/cas")).toEqual({ method: "POST", path: "/v1/kv/{key}/cas", params: { key: "a" }, timeoutMs: defaultTimeoutMs })
    expect(read("GET", "/v1/kv/a/cas?flag=on")).toEqual({ method: "GET", path: "/v1/kv/{key}", params: { key: "a/cas", flag: "on" }, timeoutMs: defaultTimeoutMs })
    expect(read("GET", "/v1/status")).toEqual({ _tag: "Status" })
    expect(read("POST", "/v1/admin/partition")).toEqual({ _tag: "Partition" })
    expect(read("GET", "/v1/openapi.json")).toEqual({ _tag: "OpenApi" })
  })

  it("refuse what does not fit, saying why", () => {
    expect(route("GET", "/v1/kv/")).toMatchObject({ status: 400, error: "the key is empty" })
    expect(route("GET", `/v1/kv/${"k".repeat(1025)}`)).toMatchObject({ status: 400, error: "the key is longer than 1024 bytes" })
    expect(route("GET", "/v1/kv/%E0%A4%A")).toMatchObject({ status: 400, error: expect.stringMatching(/not valid percent-encoding/) })
    expect(route("GET", "/v1/kv/a?timeout=0")).toMatchObject({ status: 400, error: expect.stringMatching(/from 1 to 60000, got "0"/) })
    expect(route("GET", "/v1/kv/a?timeout=1e3")).toMatchObject({ status: 400 })
    expect(route("POST", "/v1/kv/a")).toMatchObject({ status: 405, allow: "GET, PUT, DELETE" })
    expect(route("DELETE", "/v1/status")).toMatchObject({ status: 405, allow: "GET" })
    expect(route("POST", "/v1/openapi.json")).toMatchObject({ status: 405, allow: "GET" })
    expect(route("GET", "/v2/keys/a")).toMatchObject({ status: 404, error: "no route /v2/keys/a; routes: /v1/kv/{key}, /v1/kv/{key}/cas, /v1/status" })
  })

  it("turn a call into the reducer's request, and its answer into a status and body", () => {
    const target = route("POST", "/v1/kv/k/cas")
    if (target._tag !== "Call") throw new Error(`expected a call, got ${JSON.stringify(target)}`)
    const call = target.route.call(target.params, { expected: null, value: "v" })
    if (typeof call === "string") throw new Error(call)
    expect(call.request(7)).toEqual({ seq: 7, op: { _tag: "Cas", key: "k", expected: null, value: "v" } })
    expect(call.reply({ _tag: "Swapped", ok: true, current: "v" })).toEqual({ status: 200, body: { key: "k", swapped: true, value: "v" } })
    expect(target.route.call(target.params, { expected: 1 })).toMatch(/^the body does not fit \{"expected": string \| null, "value": string\}: /)
  })

  it("read a request target's path and query as the WHATWG URL parser does, whatever its characters", () => {
    const asUrl = (url: string) => {
      try {
        const parsed = new URL(url, "http://localhost")
        return { path: parsed.pathname, query: [...parsed.searchParams] }
      } catch {
        return undefined
      }
    }
    const read = (url: string) => {
      const target = requestTarget(url)
      return target === undefined ? undefined : { path: target.path, query: [...target.query] }
    }
    const piece = fc.constantFrom("v1", "kv", "a", ".", "..", "%2e", "%2E.", "%2F", "%zz", "%", "é", " ", "#", "?", "=", "&", "'", "\\", "//", "~", "+", "timeout=5", "x=%20y")
    const target = fc.array(piece, { maxLength: 8 }).map((pieces) => `/${pieces.join("/")}`)
    fc.assert(fc.property(fc.oneof(target, fc.string().map((text) => `/${text}`)), (url) => {
      expect(read(url)).toEqual(asUrl(url))
    }), { numRuns: 10_000 })
    expect(read("/v1/kv/a/../b?timeout=5")).toEqual({ path: "/v1/kv/b", query: [["timeout", "5"]] })
    expect(read("/??")).toEqual({ path: "/", query: [["?", ""]] })
  })
})
