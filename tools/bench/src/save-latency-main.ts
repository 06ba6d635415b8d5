/**
 * `npm run bench:save-latency -- [SAVES]`: what one durable save of a Raft
 * node costs on this disk, the store the runtime uses beside the shape of
 * etcd's WAL, one save of each in turn so the disk's changes of pace fall
 * on both alike. Each save appends one 100-byte write's entry to a log in
 * chunks (Raft's durable state). `sqlite`: the runtime's store
 * (`sqlite-store.ts`: WAL, synchronous=FULL, a row per entry, fsync).
 * `append`: one record per save appended to a preallocated file and
 * fdatasync'd, as etcd's WAL does. Prints each one's save latency
 * percentiles and CPU per save. Default: 2000 saves each.
 */
import { openSqliteStore } from "@parley/runtime"
import { closeSync, fdatasyncSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const saves = Number(process.argv[2] ?? 2000)
const dir = mkdtempSync(join(tmpdir(), "parley-save-latency-"))
const chunk = 64

const entry = (i: number) => ({ term: 2, command: { client: "c-5f3a9e1b", seq: i, op: { _tag: "Put", key: "wrk-key", value: "v".repeat(100) }, at: 1_765_000_000_000 + i } })
type Log = ReadonlyArray<ReadonlyArray<unknown>>
/** The log with one more entry, as Raft's `appendToLog` builds it: the chunks before the last kept as they are. */
const appended = (log: Log, i: number): Log => {
  const last = log.at(-1)
  return last === undefined || last.length === chunk ? [...log, [entry(i)]] : [...log.slice(0, -1), [...last, entry(i)]]
}

/** etcd's WAL in miniature: a 64 MiB file written once, then records appended in place, each made durable with fdatasync. */
const openAppendLog = (path: string) => {
  const fd = openSync(path, "w+")
  const size = 64 * 1024 * 1024
  writeSync(fd, Buffer.alloc(size), 0, size, 0)
  fsyncSync(fd)
  let offset = 0
  return {
    save: (record: unknown) => {
      const bytes = Buffer.from(`${JSON.stringify(record)}\n`)
      writeSync(fd, bytes, 0, bytes.length, offset)
      offset += bytes.length
      fdatasyncSync(fd)
    },
    close: () => closeSync(fd)
  }
}

const sqlite = openSqliteStore(join(dir, "n1.sqlite"))
const append = openAppendLog(join(dir, "n1.wal"))
const stores = {
  sqlite: (log: Log, _: number) => sqlite.save({ term: 2, votedFor: "n1", log }),
  append: (_: Log, i: number) => append.save({ index: i, entry: entry(i) })
}
const latencies: Record<string, Array<number>> = { sqlite: [], append: [] }
const cpuMicros: Record<string, number> = { sqlite: 0, append: 0 }
try {
  let log: Log = []
  for (let i = 1; i <= saves; i++) {
    log = appended(log, i)
    for (const [name, save] of Object.entries(stores)) {
      const cpu = process.cpuUsage()
      const start = performance.now()
      save(log, i)
      latencies[name]!.push(performance.now() - start)
      const used = process.cpuUsage(cpu)
      cpuMicros[name]! += used.user + used.system
    }
  }
  const at = (xs: ReadonlyArray<number>, q: number): number => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]! * 1000) / 1000
  for (const name of Object.keys(stores)) {
    const xs = latencies[name]!
    console.log(JSON.stringify({ bench: "save-latency", store: name, saves, p10Ms: at(xs, 0.1), p25Ms: at(xs, 0.25), p50Ms: at(xs, 0.5), p90Ms: at(xs, 0.9), cpuMicrosPerSave: Math.round(cpuMicros[name]! / saves) }))
  }
} finally {
  sqlite.close()
  append.close()
  rmSync(dir, { recursive: true, force: true })
}
