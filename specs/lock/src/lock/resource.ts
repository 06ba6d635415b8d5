/**
 * The protected resource (a storage service): one entry per name, each
 * recording the writes it accepts. Fenced, an entry remembers the newest
 * token it has accepted and rejects a write with an older one, so a client
 * whose lease ran out while it was paused cannot overwrite the work of the
 * client that holds the lock now. A write with the newest token itself is
 * taken: the holder may write more than once.
 */
import type { Token } from "./messages.ts"

export interface AcceptedWrite {
  readonly writer: string
  readonly token: Token
  readonly value: string
}

export interface ResourceEntry {
  readonly name: string
  /** The newest token accepted, 0 before any. */
  readonly newest: Token | 0
  /** The last value accepted. */
  readonly value: string
  /** The accepted writes, oldest first; the last `keptWrites` of them. */
  readonly writes: ReadonlyArray<AcceptedWrite>
  readonly rejected: number
}

export interface ResourceState {
  readonly role: "resource"
  /** An entry per name written to (accepted or rejected), in name order. */
  readonly entries: ReadonlyArray<ResourceEntry>
}

/** How many of an entry's accepted writes it keeps to show; a model's clients write fewer. */
export const keptWrites = 32

export interface WriteCommand {
  readonly name: string
  readonly writer: string
  readonly token: Token
  readonly value: string
}

export const resourceInit = (): ResourceState => ({ role: "resource", entries: [] })

export const entryOf = (s: ResourceState, name: string): ResourceEntry | undefined => s.entries.find((entry) => entry.name === name)

const emptyEntry = (name: string): ResourceEntry => ({ name, newest: 0, value: "", writes: [], rejected: 0 })

const withEntry = (s: ResourceState, entry: ResourceEntry): ResourceState => ({
  ...s,
  entries: [...s.entries.filter((other) => other.name !== entry.name), entry].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
})

/** Takes or refuses one write; `ignoreTokens` is the unfenced resource, which takes every write. */
export const runWrite = (
  s: ResourceState,
  write: WriteCommand,
  ignoreTokens: boolean
): { readonly state: ResourceState; readonly accepted: boolean; readonly entry: ResourceEntry } => {
  const entry = entryOf(s, write.name) ?? emptyEntry(write.name)
  if (!ignoreTokens && write.token < entry.newest) {
    const refused = { ...entry, rejected: entry.rejected + 1 }
    return { state: withEntry(s, refused), accepted: false, entry: refused }
  }
  const writes = [...entry.writes, { writer: write.writer, token: write.token, value: write.value }]
  const taken: ResourceEntry = {
    ...entry,
    newest: Math.max(entry.newest, write.token),
    value: write.value,
    writes: writes.length > keptWrites ? writes.slice(writes.length - keptWrites) : writes
  }
  return { state: withEntry(s, taken), accepted: true, entry: taken }
}
