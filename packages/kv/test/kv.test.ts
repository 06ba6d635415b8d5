import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { applyKv, formatKvInput, formatKvOutput, KvInput } from "../src/index.ts"

describe("applyKv", () => {
  it("puts, reads, deletes, and reports whether a key existed", () => {
    const put = applyKv({}, { _tag: "Put", key: "x", value: "1" })
    expect(put).toEqual({ store: { x: "1" }, output: { _tag: "Written" } })
    expect(applyKv(put.store, { _tag: "Get", key: "x" }).output).toEqual({ _tag: "Value", value: "1" })
    expect(applyKv(put.store, { _tag: "Delete", key: "x" })).toEqual({ store: {}, output: { _tag: "Deleted", existed: true } })
    expect(applyKv({}, { _tag: "Delete", key: "x" }).output).toEqual({ _tag: "Deleted", existed: false })
    expect(applyKv({}, { _tag: "Get", key: "x" }).output).toEqual({ _tag: "Value", value: null })
  })

  it("swaps only when the current value is the expected one, null meaning absent", () => {
    expect(applyKv({}, { _tag: "Cas", key: "x", expected: null, value: "a" })).toEqual({
      store: { x: "a" },
      output: { _tag: "Swapped", ok: true, current: "a" }
    })
    expect(applyKv({ x: "b" }, { _tag: "Cas", key: "x", expected: "a", value: "c" })).toEqual({
      store: { x: "b" },
      output: { _tag: "Swapped", ok: false, current: "b" }
    })
  })
})

describe("KvInput", () => {
  it("decodes a request and names what does not fit", () => {
    const decode = Schema.decodeUnknownSync(KvInput)
    expect(decode({ _tag: "Cas", key: "x", expected: null, value: "1" })).toEqual({ _tag: "Cas", key: "x", expected: null, value: "1" })
    expect(() => decode({ _tag: "Put", key: "x" })).toThrow(/value/)
  })

  it("formats operations and outputs compactly for traces", () => {
    expect(formatKvInput({ _tag: "Cas", key: "x", expected: null, value: "2" })).toBe("Cas(x: absent->2)")
    expect(formatKvOutput({ _tag: "Swapped", ok: false, current: "1" })).toBe("Swapped(failed, 1)")
  })
})
