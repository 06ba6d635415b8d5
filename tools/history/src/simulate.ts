/**
 * Histories of a linearizable register or map under concurrent clients, made
 * from a seed, for benchmarks and tests: each operation is invoked, takes
 * effect at one instant later, and completes later still; a client may
 * crash before or after its operation takes effect (an `info` completion,
 * and the client comes back as a new process, as in Jepsen). A stale read
 * can be injected: a read that returns a value overwritten before it began.
 */
import type { HistoryRecord, Scalar } from "./record.ts"

export interface SimulationOptions {
  readonly seed: number
  readonly clients: number
  readonly operations: number
  /** How many keys a map has; a single register when absent. */
  readonly keys?: number
  /** "unique": every write writes a value never written before; a number n: values drawn from 0..n-1, as Jepsen's cas-register does. */
  readonly values: "unique" | number
  /** The share of operations whose client crashes (half before the operation takes effect, half after). */
  readonly crashRate: number
  /** The shares of reads and compare-and-sets; the rest are writes. */
  readonly readRate: number
  readonly casRate: number
  /** How far through the history (0 to 1) a stale read is injected; none when absent. */
  readonly staleReadAt?: number
}

type Op = { readonly f: "read" } | { readonly f: "write"; readonly value: Scalar } | { readonly f: "cas"; readonly from: Scalar | null; readonly to: Scalar }

interface Client {
  process: number
  phase: "idle" | "called" | "applied"
  key: string | undefined
  op: Op
  output: Scalar | null | boolean
  invokedAt: number
  stale: boolean
}

interface Write {
  readonly value: Scalar
  readonly invokedAt: number
  readonly completedAt: number
}

/** mulberry32: a small, fast, seeded generator of numbers in [0, 1). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const simulateHistory = (options: SimulationOptions): Array<HistoryRecord> => {
  const next = seededRandom(options.seed)
  const pick = (n: number) => Math.floor(next() * n)
  const records: Array<HistoryRecord> = []
  const store = new Map<string | undefined, Scalar | null>()
  const completedWrites = new Map<string | undefined, Array<Write>>()
  const clients: Array<Client> = Array.from({ length: options.clients }, (_, process) => ({
    process, phase: "idle", key: undefined, op: { f: "read" }, output: null, invokedAt: 0, stale: false
  }))
  let nextProcess = options.clients
  let nextValue = 1
  let invoked = 0
  let staleWanted = options.staleReadAt === undefined ? false : undefined
  const value = (): Scalar => (options.values === "unique" ? nextValue++ : pick(options.values))
  const emit = (client: Client, type: HistoryRecord["type"], recordValue: unknown) =>
    records.push({ process: client.process, type, f: client.op.f, ...(client.key === undefined ? {} : { key: client.key }), value: recordValue })

  const invoke = (client: Client) => {
    client.key = options.keys === undefined ? undefined : `k${pick(options.keys)}`
    const draw = next()
    const current = store.get(client.key) ?? null
    client.op = draw < options.readRate
      ? { f: "read" }
      : draw < options.readRate + options.casRate
      ? { f: "cas", from: options.values === "unique" && next() < 0.5 ? current : value(), to: value() }
      : { f: "write", value: value() }
    if (staleWanted === undefined && invoked >= options.operations * (options.staleReadAt ?? 1)) staleWanted = true
    client.stale = staleWanted === true && client.op.f === "read"
    if (client.stale) staleWanted = false
    client.invokedAt = records.length
    client.phase = "called"
    emit(client, "invoke", client.op.f === "read" ? null : client.op.f === "write" ? client.op.value : [client.op.from, client.op.to])
    invoked++
  }

  const apply = (client: Client) => {
    const current = store.get(client.key) ?? null
    const op = client.op
    if (op.f === "read") {
      const stale = client.stale ? staleValue(completedWrites.get(client.key) ?? [], client.invokedAt) : undefined
      // No value is stale yet for this read: the next read tries.
      if (client.stale && stale === undefined) staleWanted = true
      client.output = stale ?? current
    }
    else if (op.f === "write") store.set(client.key, op.value)
    else if (current === op.from) store.set(client.key, op.to)
    client.output = op.f === "cas" ? current === op.from : client.output
    client.phase = "applied"
  }

  const complete = (client: Client) => {
    const op = client.op
    if (op.f === "read") emit(client, "ok", client.output)
    else if (op.f === "cas") emit(client, client.output === true ? "ok" : "fail", [op.from, op.to])
    else emit(client, "ok", op.value)
    const written = op.f === "write" ? op.value : op.f === "cas" && client.output === true ? op.to : undefined
    if (written !== undefined) {
      const writes = completedWrites.get(client.key) ?? []
      writes.push({ value: written, invokedAt: client.invokedAt, completedAt: records.length })
      completedWrites.set(client.key, writes)
    }
    client.phase = "idle"
  }

  const crash = (client: Client) => {
    emit(client, "info", client.op.f === "read" ? null : client.op.f === "write" ? client.op.value : [client.op.from, client.op.to])
    client.process = nextProcess++
    client.phase = "idle"
  }

  for (let busy = 0; invoked < options.operations || busy > 0;) {
    const client = clients[pick(clients.length)]!
    if (client.phase === "idle") {
      if (invoked < options.operations) {
        invoke(client)
        busy++
      }
      continue
    }
    if (next() < options.crashRate / 2) crash(client)
    else if (client.phase === "called") {
      apply(client)
      continue
    } else complete(client)
    busy--
  }
  return records
}

/**
 * A value no linearization lets a read invoked at `invokedAt` return: one
 * whose write had completed before another write began, which in turn had
 * completed before the read began.
 */
const staleValue = (writes: ReadonlyArray<Write>, invokedAt: number): Scalar | undefined => {
  const later = writes.findLast((write) => write.completedAt < invokedAt)
  if (later === undefined) return undefined
  const earlier = writes.findLast((write) => write.completedAt < later.invokedAt && write.value !== later.value)
  return earlier?.value
}
