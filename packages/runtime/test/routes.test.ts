import { describe, expect, it } from "vitest"
import { defaultTimeoutMs, route } from "../src/routes.ts"

describe("client API routes", () => {
  it("map methods and paths to key-value operations, with the timeout", () => {
    expect(route("PUT", "/v1/kv/a")).toEqual({ _tag: "Kv", action: "put", key: "a", timeoutMs: defaultTimeoutMs })
    expect(route("GET", "/v1/kv/dir%2Fname?timeout=250")).toEqual({ _tag: "Kv", action: "get", key: "dir/name", timeoutMs: 250 })
    expect(route("DELETE", "/v1/kv/a/b")).toEqual({ _tag: "Kv", action: "delete", key: "a/b", timeoutMs: defaultTimeoutMs })
    expect(route("POST", "/v1/kv/a/cas")).toEqual({ _tag: "Kv", action: "cas", key: "a", timeoutMs: defaultTimeoutMs })
    expect(route("GET", "/v1/status")).toEqual({ _tag: "Status" })
  })

  it("refuse what does not fit, saying why", () => {
    expect(route("GET", "/v1/kv/")).toMatchObject({ status: 400, error: "the key is empty" })
    expect(route("GET", `/v1/kv/${"k".repeat(1025)}`)).toMatchObject({ status: 400, error: "the key is longer than 1024 bytes" })
    expect(route("GET", "/v1/kv/%E0%A4%A")).toMatchObject({ status: 400, error: expect.stringMatching(/not valid percent-encoding/) })
    expect(route("GET", "/v1/kv/a?timeout=0")).toMatchObject({ status: 400, error: expect.stringMatching(/from 1 to 60000, got "0"/) })
    expect(route("GET", "/v1/kv/a?timeout=1e3")).toMatchObject({ status: 400 })
    expect(route("POST", "/v1/kv/a")).toMatchObject({ status: 405, allow: "GET, PUT, DELETE" })
    expect(route("DELETE", "/v1/status")).toMatchObject({ status: 405, allow: "GET" })
    expect(route("GET", "/v2/keys/a")).toMatchObject({ status: 404 })
  })
})
