/**
 * A BFS's state on disk, so that a long check can stop and go on: which
 * spec and configuration, where the search stood (`SearchSnapshot`), and the
 * state table's arrays. The file is a 4-byte little-endian header length,
 * the header as JSON (decoded with `CheckpointHeader`), then the table's four
 * id arrays and the two frontier id lists, raw. A checkpoint is written to a
 * temporary file and renamed over the old one, so a crash mid-write leaves
 * the previous checkpoint whole.
 */
import { SpecConfig } from "@parley/core"
import { Schema } from "effect"
import { readFileSync, renameSync, writeFileSync } from "node:fs"
import type { SearchSnapshot } from "./types.ts"
import type { SavedTable } from "./state-table.ts"

export const CheckpointFormat = "parley-checkpoint/1"

export const CheckpointHeader = Schema.Struct({
  format: Schema.Literal(CheckpointFormat),
  spec: Schema.String,
  config: SpecConfig,
  symmetry: Schema.Boolean,
  /** Ids handed out, holes included: the length of each id array. */
  ids: Schema.Int,
  distinctStates: Schema.Int,
  depth: Schema.Int,
  pending: Schema.Int,
  next: Schema.Int,
  generated: Schema.Int,
  deepest: Schema.Int,
  elapsedMs: Schema.Number,
  witnesses: Schema.Array(Schema.Int)
})
export type CheckpointHeader = typeof CheckpointHeader.Type

export interface Checkpoint {
  readonly spec: string
  readonly config: SpecConfig
  readonly symmetry: boolean
  readonly snapshot: SearchSnapshot
  readonly table: SavedTable
}

/** A file that is not a checkpoint, or not a whole one. */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError"
}

export const writeCheckpoint = (file: string, checkpoint: Checkpoint): void => {
  const { snapshot, table } = checkpoint
  const header: CheckpointHeader = {
    format: CheckpointFormat,
    spec: checkpoint.spec,
    config: checkpoint.config,
    symmetry: checkpoint.symmetry,
    ids: table.laneA.length,
    distinctStates: table.size,
    depth: snapshot.depth,
    pending: snapshot.pending.length,
    next: snapshot.next.length,
    generated: snapshot.generated,
    deepest: snapshot.deepest,
    elapsedMs: snapshot.elapsedMs,
    witnesses: [...snapshot.witnesses]
  }
  const json = Buffer.from(JSON.stringify(header), "utf8")
  const length = Buffer.alloc(4)
  length.writeUInt32LE(json.length)
  const temporary = `${file}.partial`
  writeFileSync(temporary, Buffer.concat([
    length,
    json,
    bytes(table.laneA),
    bytes(table.laneB),
    bytes(table.parents),
    bytes(table.actions),
    bytes(Int32Array.from(snapshot.pending)),
    bytes(Int32Array.from(snapshot.next))
  ]))
  renameSync(temporary, file)
}

export const readCheckpoint = (file: string): Checkpoint => {
  const data = readFileSync(file)
  if (data.length < 4) throw new CheckpointError(`${file} is not a checkpoint: it is ${data.length} bytes long`)
  const headerEnd = 4 + data.readUInt32LE(0)
  let parsed: unknown
  try {
    parsed = JSON.parse(data.subarray(4, headerEnd).toString("utf8"))
  } catch {
    throw new CheckpointError(`${file} is not a checkpoint: its header is not JSON`)
  }
  const decoded = Schema.decodeUnknownResult(CheckpointHeader)(parsed)
  if (decoded._tag === "Failure") throw new CheckpointError(`${file} is not a ${CheckpointFormat} checkpoint: ${String(decoded.failure)}`)
  const header = decoded.success
  const expected = headerEnd + 4 * (4 * header.ids + header.pending + header.next)
  if (data.length !== expected) {
    throw new CheckpointError(`${file} is cut short or padded: ${data.length} bytes where its header promises ${expected}`)
  }
  // Copy out of the file's buffer, whose offset need not suit a 4-byte view.
  let at = headerEnd
  const take = <T>(count: number, make: (buffer: ArrayBuffer) => T): T => {
    const copy = data.buffer.slice(data.byteOffset + at, data.byteOffset + at + 4 * count)
    at += 4 * count
    return make(copy as ArrayBuffer)
  }
  const table: SavedTable = {
    laneA: take(header.ids, (b) => new Uint32Array(b)),
    laneB: take(header.ids, (b) => new Uint32Array(b)),
    parents: take(header.ids, (b) => new Int32Array(b)),
    actions: take(header.ids, (b) => new Int32Array(b)),
    size: header.distinctStates
  }
  const pending = take(header.pending, (b) => Array.from(new Int32Array(b)))
  const next = take(header.next, (b) => Array.from(new Int32Array(b)))
  return {
    spec: header.spec,
    config: header.config,
    symmetry: header.symmetry,
    table,
    snapshot: {
      depth: header.depth,
      pending,
      next,
      generated: header.generated,
      deepest: header.deepest,
      witnesses: header.witnesses,
      elapsedMs: header.elapsedMs
    }
  }
}

const bytes = (array: Uint32Array | Int32Array): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
