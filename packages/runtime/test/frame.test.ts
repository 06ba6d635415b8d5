import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { encodeFrame, FrameReader, maxFrameBytes } from "../src/frame.ts"

describe("length-prefixed frames", () => {
  it("give back exactly the values sent, however TCP splits the bytes", () => {
    fc.assert(fc.property(
      fc.array(fc.jsonValue(), { maxLength: 8 }),
      fc.array(fc.nat({ max: 40 }), { maxLength: 20 }),
      (values, cuts) => {
        const bytes = Buffer.concat(values.map(encodeFrame))
        const reader = new FrameReader()
        const received: Array<unknown> = []
        let offset = 0
        for (const cut of [...cuts, bytes.length]) {
          const end = Math.min(bytes.length, offset + cut)
          const read = reader.push(bytes.subarray(offset, end))
          if (read._tag !== "Frames") throw new Error("refused a frame within the limit")
          for (const frame of read.frames) received.push(JSON.parse(frame.toString("utf8")))
          offset = end
        }
        expect(received).toEqual(JSON.parse(JSON.stringify(values)))
        expect(reader.buffered).toBe(0)
      }
    ))
  })

  it("refuses a length above the limit before buffering it, as when HTTP arrives on a peer port", () => {
    const read = new FrameReader().push(Buffer.from("GET / HTTP/1.1\r\n"))
    expect(read).toEqual({ _tag: "TooLarge", bytes: Buffer.from("GET ").readUInt32BE(0) })
    expect(Buffer.from("GET ").readUInt32BE(0)).toBeGreaterThan(maxFrameBytes)
  })

  it("counts the bytes of a frame cut off mid-way", () => {
    const reader = new FrameReader()
    const frame = encodeFrame({ _tag: "Vote", term: 1 })
    expect(reader.push(frame.subarray(0, 7))).toEqual({ _tag: "Frames", frames: [] })
    expect(reader.buffered).toBe(7)
  })
})
