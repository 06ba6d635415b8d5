/**
 * The event log's files: a node's numbered segments in its directory, and
 * whole appends to one, as one write(2) each.
 */
import { fstatSync, readdirSync, readSync, writeSync } from "node:fs"
import { eventFilePattern } from "./event-log-format.ts"

/** The files of `node` in `dir`, by number. */
export const segments = (dir: string, node: string): Array<number> => {
  const pattern = eventFilePattern(node)
  return readdirSync(dir).flatMap((name) => {
    const match = pattern.exec(name)
    return match === null ? [] : [Number(match[1])]
  }).sort((a, b) => a - b)
}

/** Whether the file ends in a line break: one cut short by a crash mid-write gets one before anything is appended. */
export const endsCleanly = (fd: number): boolean => {
  const size = fstatSync(fd).size
  if (size === 0) return true
  const last = Buffer.alloc(1)
  readSync(fd, last, 0, 1, size - 1)
  return last[0] === 0x0a
}

/**
 * Writes `text` whole and gives its bytes: the string straight to write(2),
 * with no Buffer made of it (a file takes it whole but when the disk fills
 * or a signal cuts the write short; then the rest, as bytes).
 */
export const writeText = (fd: number, text: string): number => {
  const written = writeSync(fd, text)
  const bytes = Buffer.byteLength(text)
  if (written === bytes) return bytes
  const rest = Buffer.from(text).subarray(written)
  for (let offset = 0; offset < rest.length;) offset += writeSync(fd, rest, offset)
  return bytes
}
