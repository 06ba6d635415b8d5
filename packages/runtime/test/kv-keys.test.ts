/**
 * Keys and values round-trip through the HTTP API exactly as given: the
 * names an object inherits, and arbitrary Unicode, written through one
 * follower and read through the other.
 */
import { kvPath } from "@parley/kv"
import { Effect } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { MemoryNetwork } from "../src/transport/memory.ts"
import { agreedLeader, call, run, startCluster } from "./in-process-harness.ts"

/**
 * Keys the API takes: any well-formed Unicode text (an HTTP path carries
 * nothing else) up to 1024 bytes, but `.` and `..`, which a URL reads as
 * path steps.
 */
const httpKey = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((key) => key !== "." && key !== "..")
/** Values are the request body as UTF-8: any well-formed Unicode text, the empty text included. */
const httpValue = fc.string({ unit: "grapheme", maxLength: 20 })

describe("the key-value API over a raft cluster", () => {
  it("keeps __proto__, constructor, hasOwnProperty and any Unicode key and value as given", () =>
    run(Effect.gen(function*() {
      const { nodes } = yield* startCluster(new MemoryNetwork().transport)
      const leader = yield* agreedLeader(nodes)
      const [writer, reader] = nodes.filter((node) => node.id !== leader.id)

      for (const key of ["__proto__", "constructor", "hasOwnProperty", "toString"]) {
        expect(yield* call(reader!, "GET", kvPath(key))).toMatchObject({ status: 404 })
        expect(yield* call(writer!, "PUT", kvPath(key), `${key} value`)).toEqual({ status: 200, body: { key } })
        expect(yield* call(reader!, "GET", kvPath(key))).toEqual({ status: 200, body: { key, value: `${key} value` } })
        const swap = JSON.stringify({ expected: `${key} value`, value: "swapped" })
        expect(yield* call(reader!, "POST", `${kvPath(key)}/cas`, swap)).toEqual({ status: 200, body: { key, swapped: true, value: "swapped" } })
        expect(yield* call(writer!, "DELETE", kvPath(key))).toEqual({ status: 200, body: { key, deleted: true } })
      }

      yield* Effect.promise(() =>
        fc.assert(fc.asyncProperty(httpKey, httpValue, async (key, value) => {
          const put = await Effect.runPromise(call(writer!, "PUT", kvPath(key), value))
          expect(put).toEqual({ status: 200, body: { key } })
          const read = await Effect.runPromise(call(reader!, "GET", kvPath(key)))
          expect(read).toEqual({ status: 200, body: { key, value } })
        }), { numRuns: 40 })
      )
    })), 60_000)
})
