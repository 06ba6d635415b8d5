import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { clientRoute, jsonBody, noBody, textBody } from "../src/index.ts"

/** A lock server's acquire, as a route: a path parameter, a query parameter decoded to a number, a JSON body. */
const acquire = clientRoute({
  method: "POST",
  path: "/v1/locks/{name}/acquire",
  params: Schema.Struct({ name: Schema.String, ttl: Schema.NumberFromString }),
  body: jsonBody(Schema.Struct({ owner: Schema.String }), `{"owner": string}`),
  request: ({ name, ttl }, { owner }, seq) => ({ seq, name, ttlMs: ttl, owner }),
  reply: ({ name }, token: number) => ({ status: 200, body: { name, token } }),
  summary: "Acquire a lock",
  answer: Schema.Struct({ name: Schema.String, token: Schema.Int })
})

describe("a client route", () => {
  it("decodes its parameters and body into the reducer's request, and tells the answer", () => {
    const call = acquire.call({ name: "db", ttl: "5000" }, { owner: "c1" })
    if (typeof call === "string") throw new Error(call)
    expect(call.request(4)).toEqual({ seq: 4, name: "db", ttlMs: 5000, owner: "c1" })
    expect(call.reply(17)).toEqual({ status: 200, body: { name: "db", token: 17 } })
  })

  it("says which part does not fit", () => {
    expect(acquire.call({ name: "db" }, { owner: "c1" })).toMatch(/^the request does not fit \/v1\/locks\/\{name\}\/acquire: .*ttl/)
    expect(acquire.call({ name: "db", ttl: "5000" }, { owner: 1 })).toMatch(/^the body does not fit \{"owner": string\}: .*owner/)
  })

  it("reads a body of each kind", () => {
    expect(noBody.read("ignored")).toMatchObject({ _tag: "Success", success: undefined })
    expect(textBody.read("v")).toMatchObject({ _tag: "Success", success: "v" })
    expect(textBody.read(1)).toMatchObject({ _tag: "Failure" })
    expect([noBody.kind, textBody.kind, acquire.body.kind]).toEqual(["none", "text", "json"])
  })
})
