/**
 * Length-prefixed frames: a 4-byte big-endian byte count, then that many
 * bytes of UTF-8 JSON. The reader is fed whatever TCP delivers and hands
 * back whole frames; a count above the limit is refused at once, so a
 * stray HTTP request or random bytes on a peer port cannot make a node
 * buffer gigabytes.
 */

export const frameHeaderBytes = 4
export const maxFrameBytes = 16 * 1024 * 1024

export const encodeFrame = (value: unknown): Buffer => encodeFrameText(JSON.stringify(value))

/** A frame of JSON already made text. */
export const encodeFrameText = (json: string): Buffer => {
  const body = Buffer.from(json, "utf8")
  const frame = Buffer.allocUnsafe(frameHeaderBytes + body.length)
  frame.writeUInt32BE(body.length, 0)
  body.copy(frame, frameHeaderBytes)
  return frame
}

export type FrameRead =
  | { readonly _tag: "Frames"; readonly frames: ReadonlyArray<Buffer> }
  | { readonly _tag: "TooLarge"; readonly bytes: number }

export class FrameReader {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): FrameRead {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const frames: Array<Buffer> = []
    let offset = 0
    while (this.pending.length - offset >= frameHeaderBytes) {
      const bytes = this.pending.readUInt32BE(offset)
      if (bytes > maxFrameBytes) return { _tag: "TooLarge", bytes }
      if (this.pending.length - offset - frameHeaderBytes < bytes) break
      frames.push(this.pending.subarray(offset + frameHeaderBytes, offset + frameHeaderBytes + bytes))
      offset += frameHeaderBytes + bytes
    }
    this.pending = this.pending.subarray(offset)
    return { _tag: "Frames", frames }
  }

  /** Bytes of a frame begun but not finished: non-zero when the peer closes mid-frame. */
  get buffered(): number {
    return this.pending.length
  }
}
