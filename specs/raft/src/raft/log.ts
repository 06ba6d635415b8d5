/**
 * A Raft log as plain immutable data that is cheap to append to: entries in
 * chunks of `LogChunk`, every chunk full but the last. Appending copies the
 * last chunk and the list of chunks, a few hundred pointers for a log of
 * tens of thousands of entries, where copying a flat array costs as much as
 * the log is long (a runtime's log grows without bound). Chunk boundaries
 * depend on the entries' indices alone, so equal logs are equal data, with
 * equal fingerprints: the checker counts the same states.
 *
 * Indices are 1-based, as in the paper: entry `i` is `entryAt(log, i)`.
 */
/** Generic in the entry so the log needs nothing from the messages that carry it. */
export type ChunkedLog<E> = ReadonlyArray<ReadonlyArray<E>>

export const LogChunk = 64
/** log2 of LogChunk: an entry's chunk is its 0-based position shifted right by this. */
export const LogShift = 6
const SHIFT = LogShift
const MASK = LogChunk - 1

export const emptyLog: ChunkedLog<never> = Object.freeze([])

export const logLength = <E>(log: ChunkedLog<E>): number =>
  log.length === 0 ? 0 : (log.length - 1) * LogChunk + log[log.length - 1]!.length

/** Entry `index`, or undefined past the end (or at 0). */
export const entryAt = <E>(log: ChunkedLog<E>, index: number): E | undefined =>
  index < 1 ? undefined : log[(index - 1) >> SHIFT]?.[(index - 1) & MASK]

/** The log cut back to its first `length` entries. */
export const truncateLog = <E>(log: ChunkedLog<E>, length: number): ChunkedLog<E> => {
  if (length >= logLength(log)) return log
  if (length <= 0) return emptyLog
  const full = length >> SHIFT
  const rest = length & MASK
  return rest === 0 ? log.slice(0, full) : [...log.slice(0, full), log[full]!.slice(0, rest)]
}

/**
 * The log without its first `count` entries (compacted into a snapshot),
 * chunked afresh from its new first entry, so that it keeps a log's shape:
 * it copies what is left, which a snapshot taken every so many entries keeps short.
 */
export const dropLogPrefix = <E>(log: ChunkedLog<E>, count: number): ChunkedLog<E> =>
  count <= 0 ? log : logOfEntries(logSlice(log, count + 1, logLength(log)))

/** The log with `entries` after its last. */
export const appendToLog = <E>(log: ChunkedLog<E>, entries: ReadonlyArray<E>): ChunkedLog<E> => {
  if (entries.length === 0) return log
  const chunks = log.slice()
  let last: Array<E> = chunks.length === 0 || chunks[chunks.length - 1]!.length === LogChunk ? [] : chunks.pop()!.slice()
  for (const entry of entries) {
    if (last.length === LogChunk) {
      chunks.push(last)
      last = []
    }
    last.push(entry)
  }
  chunks.push(last)
  return chunks
}

/** Entries `from` to `to`, both included, as a flat array (clipped to the log). */
export const logSlice = <E>(log: ChunkedLog<E>, from: number, to: number): ReadonlyArray<E> => {
  const out: Array<E> = []
  for (let index = Math.max(1, from), end = Math.min(to, logLength(log)); index <= end; index++) out.push(entryAt(log, index)!)
  return out
}

/** Every entry, in order. */
export const logEntries = <E>(log: ChunkedLog<E>): ReadonlyArray<E> => log.flat()

/** A flat array of entries as a log, for a log built or decoded whole. */
export const logOfEntries = <E>(entries: ReadonlyArray<E>): ChunkedLog<E> => appendToLog(emptyLog, entries)

/** Whether `chunks` has the shape of a log: every chunk full but the last, which is not empty. */
export const isLogShape = (chunks: ReadonlyArray<ReadonlyArray<unknown>>): boolean =>
  chunks.every((chunk, i) => (i < chunks.length - 1 ? chunk.length === LogChunk : chunk.length >= 1 && chunk.length <= LogChunk))
