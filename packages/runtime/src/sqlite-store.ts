/**
 * A durable record in SQLite, written incrementally. The reducers' durable
 * state is plain JSON data: each top-level field that is an array (Raft's
 * log) is kept one row per element, and an array of arrays (Raft's log in
 * chunks) one row per item of each inner array, so appending an entry
 * writes that entry, not its chunk (a chunk of 64 entries rewritten on
 * every save made a commit write about 30 KB to the WAL, and its fsync
 * took several times etcd's); every other field is one JSON row.
 * A save writes only what changed since the last one. Arrays are compared
 * element by element from their end, by identity: a reducer's array grows
 * or is cut back and regrown at its tail, and keeps the elements before
 * the change, so the unchanged prefix is found in a step or two however
 * long the log is.
 */
import { DatabaseSync } from "node:sqlite"
import { unchangedPrefix } from "./unchanged-prefix.ts"

type Durable = Readonly<Record<string, unknown>>

/** How a field is kept: one JSON row; a row per element; a row per item of each element (an array of arrays). */
type Layout = "field" | "rows" | "nested"
const layoutCodes: Readonly<Record<Layout, number>> = { field: 0, rows: 1, nested: 2 }
const layoutOfCode = (code: number): Layout => code === 2 ? "nested" : code === 1 ? "rows" : "field"

const layoutOf = (value: unknown): Layout =>
  !Array.isArray(value) ? "field" : value.length > 0 && value.every((element) => Array.isArray(element)) ? "nested" : "rows"

const arrayOr = (value: unknown): ReadonlyArray<unknown> => Array.isArray(value) ? value : []

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
  db.exec("CREATE TABLE IF NOT EXISTS item (name TEXT NOT NULL, idx INTEGER NOT NULL, sub INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (name, idx, sub))")
  const putField = db.prepare("INSERT OR REPLACE INTO field (name, json, is_array) VALUES (?, ?, ?)")
  const putElement = db.prepare("INSERT OR REPLACE INTO element (name, idx, json) VALUES (?, ?, ?)")
  const cutElements = db.prepare("DELETE FROM element WHERE name = ? AND idx >= ?")
  const putItem = db.prepare("INSERT OR REPLACE INTO item (name, idx, sub, json) VALUES (?, ?, ?, ?)")
  const cutItems = db.prepare("DELETE FROM item WHERE name = ? AND idx = ? AND sub >= ?")
  const cutInner = db.prepare("DELETE FROM item WHERE name = ? AND idx >= ?")
  let last: Durable = {}
  /** How each field is kept in the file now. */
  const layouts = new Map<string, Layout>()

  const writeRows = (name: string, previous: ReadonlyArray<unknown>, value: ReadonlyArray<unknown>): void => {
    const keep = unchangedPrefix(previous, value)
    if (previous.length > keep) cutElements.run(name, keep)
    for (let idx = keep; idx < value.length; idx++) putElement.run(name, idx, JSON.stringify(value[idx]))
  }

  /** An array of arrays: the inner arrays from the first that changed, each from its first changed item. */
  const writeNested = (name: string, previous: ReadonlyArray<unknown>, value: ReadonlyArray<unknown>): void => {
    const keep = unchangedPrefix(previous, value)
    if (previous.length > value.length) cutInner.run(name, value.length)
    for (let idx = keep; idx < value.length; idx++) {
      const before = arrayOr(previous[idx])
      const items = arrayOr(value[idx])
      const same = unchangedPrefix(before, items)
      if (before.length > same) cutItems.run(name, idx, same)
      for (let sub = same; sub < items.length; sub++) putItem.run(name, idx, sub, JSON.stringify(items[sub]))
    }
  }

  const write = (durable: Durable): void => {
    for (const name of Object.keys(durable)) {
      const value = durable[name]
      if (value === last[name]) continue
      const layout = layoutOf(value)
      const stored = layouts.get(name)
      if (stored !== undefined && stored !== layout) {
        // Kept another way until now: written whole this way.
        cutElements.run(name, 0)
        cutInner.run(name, 0)
      }
      const before = stored === layout ? last[name] : undefined
      switch (layout) {
        case "field":
          putField.run(name, JSON.stringify(value), layoutCodes.field)
          break
        case "rows":
          if (stored !== layout) putField.run(name, null, layoutCodes.rows)
          writeRows(name, arrayOr(before), arrayOr(value))
          break
        case "nested":
          // The number of inner arrays, so an empty one comes back.
          if (stored !== layout || arrayOr(before).length !== arrayOr(value).length) putField.run(name, String(arrayOr(value).length), layoutCodes.nested)
          writeNested(name, arrayOr(before), arrayOr(value))
          break
      }
      layouts.set(name, layout)
    }
  }

  return {
    load: () => {
      const fields = db.prepare("SELECT name, json, is_array FROM field").all() as Array<{ name: string; json: string | null; is_array: number }>
      if (fields.length === 0) return undefined
      const durable: Record<string, unknown> = {}
      for (const field of fields) {
        const layout = layoutOfCode(field.is_array)
        layouts.set(field.name, layout)
        durable[field.name] = layout === "field"
          ? JSON.parse(field.json!)
          : layout === "rows" ? [] : Array.from({ length: Number(field.json) }, () => [])
      }
      const elements = db.prepare("SELECT name, json FROM element ORDER BY name, idx").all() as Array<{ name: string; json: string }>
      for (const { name, json } of elements) (durable[name] as Array<unknown>).push(JSON.parse(json))
      const items = db.prepare("SELECT name, idx, json FROM item ORDER BY name, idx, sub").all() as Array<{ name: string; idx: number; json: string }>
      for (const { name, idx, json } of items) (durable[name] as Array<Array<unknown>>)[idx]!.push(JSON.parse(json))
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
