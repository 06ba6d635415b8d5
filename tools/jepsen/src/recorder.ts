/**
 * The history as it happens: each invocation recorded before its request
 * leaves, each completion after its answer arrives, so the order of the
 * records is an order the real events could have had (every client runs on
 * this one event loop). Faults go in too, as the `nemesis` process's
 * records, which `parley history check` skips, and in a log of their own.
 */
import type { HistoryRecord, Scalar } from "@parley/history"
import { Schema } from "effect"
import type { Completion, Invocation } from "./workload.ts"

export const NemesisKind = Schema.Literals(["kill", "pause", "partition", "restart"])
export type NemesisKind = typeof NemesisKind.Type

/** One line of the nemesis log: a fault begun, ended, or one the cluster control could not carry out. */
export const NemesisEvent = Schema.Struct({
  /** Milliseconds since the test began. */
  time: Schema.Finite,
  phase: Schema.Literals(["start", "end", "error"]),
  fault: NemesisKind,
  nodes: Schema.Array(Schema.String),
  /** What was done, as a sentence: `kill -9 n2 (the leader)`, `partition n1 / n2,n3`. */
  description: Schema.String,
  /** A partition's: where it was cut (the network between namespaces, or the nodes' transport) and its shape (one node isolated, or a minority split from the majority). */
  partition: Schema.optional(Schema.Struct({
    layer: Schema.Literals(["network", "transport"]),
    shape: Schema.Literals(["isolate", "split"])
  }))
})
export type NemesisEvent = typeof NemesisEvent.Type

/** A record of the history as the report writes it: the checker's fields, the time, and why an operation failed or is unknown. */
export type TestRecord = HistoryRecord & { readonly time: number; readonly node?: string; readonly error?: string }

export class Recorder {
  private readonly origin = performance.now()
  readonly records: Array<TestRecord> = []
  readonly faults: Array<NemesisEvent> = []
  /** Completions so far, by type. */
  readonly completed = { ok: 0, fail: 0, info: 0 }

  /**
   * `onFault` hears of each nemesis event as it is recorded (a progress line,
   * say); `onRecord` of each record (a file it goes to at once, so that a test
   * stopped half-way keeps what it recorded).
   */
  constructor(
    private readonly onFault: (event: NemesisEvent) => void = () => {},
    private readonly onRecord: (record: TestRecord) => void = () => {}
  ) {}

  private push(record: TestRecord): void {
    this.records.push(record)
    this.onRecord(record)
  }

  /** Milliseconds since the test began, to a hundredth. */
  now(): number {
    return Math.round((performance.now() - this.origin) * 100) / 100
  }

  invoke(process: Scalar, operation: Invocation): void {
    this.push({ process, type: "invoke", f: operation.f, ...keyOf(operation), value: operation.value, time: this.now() })
  }

  complete(process: Scalar, operation: Invocation, completion: Completion): void {
    this.completed[completion.type]++
    const node = completion.node === undefined ? {} : { node: completion.node }
    const base = { process, type: completion.type, f: operation.f, ...keyOf(operation), time: this.now(), ...node }
    this.push(completion.type === "ok" ? { ...base, value: completion.value } : { ...base, value: operation.value, error: completion.error })
  }

  nemesis(event: Omit<NemesisEvent, "time">): NemesisEvent {
    const recorded = { ...event, time: this.now() }
    this.faults.push(recorded)
    this.onFault(recorded)
    this.push({
      process: "nemesis",
      type: "info",
      f: `${event.phase === "end" ? "end" : "start"}-${event.fault}`,
      value: event.nodes,
      time: recorded.time,
      ...(event.phase === "error" ? { error: event.description } : {})
    })
    return recorded
  }
}

const keyOf = (operation: Invocation): { readonly key?: Scalar } => (operation.key === undefined ? {} : { key: operation.key })
