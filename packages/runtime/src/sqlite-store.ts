/**
 * A durable record in SQLite, written incrementally. The reducers' durable
 * state is plain JSON data: each top-level field that is an array (Raft's
 * log) is kept one row per element; every other field is one JSON row.
 * A save writes only what changed since the last one. Arrays are compared
 * element by element from their end, by identity: a reducer's array grows
 * or is cut back and regrown at its tail, and keeps the elements before
 * the change, so the unchanged prefix is found in a step or two however
 * long the log is.
 */
import { DatabaseSync } from "node:sqlite"
import { unchangedPrefix } from "./unchanged-prefix.ts"

type Durable = Readonly<Record<string, unknown>>

export interface SqliteStore {
  load(): Durable | undefined
  /** What the next save is compared with: the value just loaded, which the node resumes from. */
  remember(durable: unknown): void
  save(durable: unknown): void
  close(): void
}

export const openSqliteStore = (path: string): SqliteStore => {
  const db = new DatabaseSync(path)
  // WAL with synchronous=FULL: a committed transaction is on disk (the WAL is fsynced) when COMMIT returns.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")
  db.exec("CREATE TABLE IF NOT EXISTS field (name TEXT PRIMARY KEY, json TEXT, is_array INTEGER NOT NULL)")
  db.exec("CREATE TABLE IF NOT EXISTS element (name TEXT NOT NULL, idx INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (name, idx))")
  const putField = db.prepare("INSERT OR REPLACE INTO field (name, json, is_array) VALUES (?, ?, 0)")
  const putArrayField = db.prepare("INSERT OR REPLACE INTO field (name, json, is_array) VALUES (?, NULL, 1)")
  const putElement = db.prepare("INSERT OR REPLACE INTO element (name, idx, json) VALUES (?, ?, ?)")
  const cutElements = db.prepare("DELETE FROM element WHERE name = ? AND idx >= ?")
  let last: Durable = {}

  const write = (durable: Durable): void => {
    for (const name of Object.keys(durable)) {
      const value = durable[name]
      const before = last[name]
      if (value === before) continue
      if (!Array.isArray(value)) {
        if (Array.isArray(before)) cutElements.run(name, 0)
        putField.run(name, JSON.stringify(value))
        continue
      }
      const previous = Array.isArray(before) ? before as ReadonlyArray<unknown> : []
      const keep = unchangedPrefix(previous, value)
      if (!Array.isArray(before)) putArrayField.run(name)
      if (previous.length > keep) cutElements.run(name, keep)
      for (let idx = keep; idx < value.length; idx++) putElement.run(name, idx, JSON.stringify(value[idx]))
    }
  }

  return {
    load: () => {
      const fields = db.prepare("SELECT name, json, is_array FROM field").all() as Array<{ name: string; json: string | null; is_array: number }>
      if (fields.length === 0) return undefined
      const durable: Record<string, unknown> = {}
      for (const field of fields) durable[field.name] = field.is_array === 1 ? [] : JSON.parse(field.json!)
      const elements = db.prepare("SELECT name, json FROM element ORDER BY name, idx").all() as Array<{ name: string; json: string }>
      for (const { name, json } of elements) (durable[name] as Array<unknown>).push(JSON.parse(json))
      return durable
    },
    remember: (durable) => {
      last = durable as Durable
    },
    save: (durable) => {
      const next = durable as Durable
      if (Object.keys(next).every((name) => next[name] === last[name])) return
      db.exec("BEGIN")
      try {
        write(next)
        db.exec("COMMIT")
      } catch (error) {
        db.exec("ROLLBACK")
        throw error
      }
      last = next
    },
    close: () => db.close()
  }
}
