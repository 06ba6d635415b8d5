/**
 * The node's event log: every reducer step, its input and what it produced,
 * as JSON lines (event-log-format.ts) that `parley validate` replays
 * through the spec's reducer. A step is held as it ran (its input and its
 * result, plain immutable data) and made text only when the loop writes
 * its batch, one write(2) a batch, with no fsync of its own: a process
 * killed with -9 loses nothing the kernel was given; a machine that loses
 * power may lose the log's last lines, never reorder them.
 *
 * When the loop writes a batch is its choice (node.ts): a batch that took a
 * client request before anything of it leaves the node (`flush`), any other
 * at the loop's next turn (`settle`), after its outputs have left and the
 * calls its replies woke have written them, so the encoding and the write
 * are off the path of a follower's answer and a leader's reply; and steps
 * that took messages alone are held back until a few have gathered
 * (`holdsBack`: a follower's appends go in groups, as a log costs more per
 * write than per step), made text at their own batch's `settle` all the
 * same, so a leader's request batch that writes them encodes only itself
 * before its messages leave. A kill -9 loses what is held though its durable
 * state was saved and its messages sent; its inputs were messages and
 * timers, which `parley validate` finds in the other nodes' logs and
 * rebuilds the steps from (lost-batch.ts). Closing the log writes what it
 * holds, its last step ending a batch.
 *
 * A step's durable digest is written on a batch's last step alone: the
 * loop saves the durable state once a batch, so the states of the steps
 * before it never reach the disk, and a restart can recover none of them;
 * at 64 writers a batch holds tens of steps, one digest among them.
 *
 * The log is bounded: a file that grows past `maxFileBytes` is closed and
 * the log goes on in the next one; past `maxFiles` the oldest is deleted.
 * A log that cannot be written is reported once and switched off: the node
 * keeps serving.
 */
import type { Actor, NodeContext, Step } from "@parley/core"
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs"
import { join } from "node:path"
import { sameFields } from "./durable-digest.ts"
import { endsCleanly, segments, writeText } from "./event-log-files.ts"
import { durableDigester, EventLogFormat, eventFileName, outputJson } from "./event-log-format.ts"
import type { EventLogSettings, LoggedInput } from "./event-log-format.ts"
import { encoderOf } from "./compiled-schema.ts"
import { arrivedJson } from "./message-json.ts"
import { NodeConfig } from "./node-config.ts"

type AnyActor = Actor<unknown, unknown, unknown, unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>

/** What the reducer was told, as the node loop tells it: messages, requests and durable state decoded, requests stamped. */
export type StepInput =
  | { readonly _tag: "Init" }
  | { readonly _tag: "Recover"; readonly durable: unknown }
  | { readonly _tag: "Message"; readonly from: string; readonly message: unknown }
  | { readonly _tag: "Timer"; readonly timer: unknown }
  | { readonly _tag: "Request"; readonly client: string; readonly request: unknown }

/** An input that comes from outside while the node runs (not its start). */
export type EventInput = Extract<StepInput, { readonly _tag: "Message" | "Timer" | "Request" }>

/** One run's log, opened by the node loop with its actor. */
export interface StepLog {
  /** Records one step, held in memory as it ran until `flush` or `settle` writes it. */
  record(input: StepInput, step: AnyStep): void
  /**
   * Ends the batch (the durable state after the last step recorded is the
   * one the loop saves, and the one step of the batch whose durable state
   * is digested), and encodes and writes the steps recorded since the last
   * write, in one write. The loop calls `flush` or `settle` once a batch's
   * steps are recorded, before the next batch's first.
   */
  flush(): void
  /** As `flush`, but steps that took messages alone are held back, encoded and unwritten, while they are few (`holdsBack`). */
  settle(): void
}

const noLog: StepLog = { record: () => {}, flush: () => {}, settle: () => {} }

/**
 * The most steps of messages alone the log holds back at once, and for how
 * long: `parley validate` rebuilds what a kill -9 kept from the log from the
 * messages others sent, breadth first up to 8 steps (lost-batch.ts).
 */
export const heldSteps = { most: 6, ms: 1000 } as const

/**
 * Whether steps recorded and not yet written may wait for more: every one
 * took a message (no request, no timer, no start), there are at most
 * `heldSteps.most` and the first is younger than `heldSteps.ms`.
 */
export const holdsBack = (recorded: ReadonlyArray<{ readonly at: number; readonly input: StepInput }>, now: number): boolean =>
  recorded.length > 0 && recorded.length <= heldSteps.most && now - recorded[0]!.at < heldSteps.ms &&
  recorded.every(({ input }) => input._tag === "Message")

export class EventLog extends Context.Service<EventLog, {
  /** Begins this run's log (a `Start` record) for the node's actor. */
  open(actor: AnyActor, context: NodeContext): Effect.Effect<StepLog, never, Scope.Scope>
}>()("@parley/runtime/EventLog") {
  /** Nothing is logged. */
  static readonly off = Layer.succeed(EventLog, EventLog.of({ open: () => Effect.succeed(noLog) }))

  /** Logs to `dir` with the given bounds. */
  static readonly files = (dir: string, settings: EventLogSettings) =>
    Layer.effect(EventLog, Effect.gen(function*() {
      const config = yield* NodeConfig
      return EventLog.of({
        open: (actor, context) =>
          Effect.acquireRelease(
            Effect.sync(() => openFileLog(dir, settings, config, actor, context)),
            (log) => Effect.sync(() => log.close())
          ).pipe(Effect.tap((log) => log.failure === undefined ? Effect.void : Effect.logError(log.failure)))
      })
    }))

  /** Logs to `dir` when the cluster file asks for an event log (its `eventLog`), else nothing. */
  static readonly fromConfig = (dir: string) =>
    Layer.unwrap(Effect.gen(function*() {
      const { eventLog } = yield* NodeConfig
      return eventLog === undefined ? EventLog.off : EventLog.files(dir, eventLog)
    }))
}

/** A step as it ran, held until written; `endsBatch` once the loop has ended its batch after it. */
interface RecordedStep {
  readonly at: number
  readonly input: StepInput
  readonly step: AnyStep
  endsBatch: boolean
}

interface FileLog extends StepLog {
  /** Why the log was switched off, when it was. */
  readonly failure: string | undefined
  close(): void
}

const openFileLog = (
  dir: string,
  settings: EventLogSettings,
  config: NodeConfig["Service"],
  actor: AnyActor,
  context: NodeContext
): FileLog => {
  const { hosted } = config
  const encodeRequest = encoderOf(hosted.request)
  const encodeDurable = encoderOf(hosted.durable)
  const encodeOptions = encoderOf(hosted.options)

  let failure: string | undefined
  let fd = -1
  let number = 0
  let bytes = 0
  /** Text waiting for the next write: this run's start, then each ended batch's steps, encoded. */
  let pending: Array<string> = []
  /** Steps recorded since the last write, as they ran; the first `encoded` of them are text in `pending`. */
  let recorded: Array<RecordedStep> = []
  let encoded = 0
  let lastDurable: unknown
  let lastDigest = ""

  const fail = (what: string, error: unknown): void => {
    failure ??= `the event log in ${dir} is switched off: ${what}: ${error instanceof Error ? error.message : String(error)}`
    pending = []
    recorded = []
    encoded = 0
    if (fd >= 0) closeSync(fd)
    fd = -1
  }

  const openSegment = (next: number): void => {
    fd = openSync(join(dir, eventFileName(config.self, next)), "a+")
    number = next
    bytes = fstatSync(fd).size
    if (!endsCleanly(fd)) bytes += writeSync(fd, "\n")
    const kept = segments(dir, config.self)
    for (const old of kept.slice(0, Math.max(0, kept.length - settings.maxFiles))) rmSync(join(dir, eventFileName(config.self, old)), { force: true })
  }

  const durableDigest = durableDigester()
  const rotate = (): void => {
    try {
      closeSync(fd)
      openSegment(number + 1)
    } catch (error) {
      fail("cannot start its next file", error)
    }
  }

  /** The digest of the durable state, computed again only when one of its fields is no longer the one last hashed. */
  const digestOf = (durable: unknown): string => {
    if (!sameFields(durable, lastDurable)) {
      lastDigest = durableDigest(durable)
      lastDurable = durable
    }
    return lastDigest
  }

  const arrived = arrivedJson(hosted.message)
  /** The input as the log's JSON text: a message as it came off the wire, when it did. */
  const inputJson = (input: StepInput): string => {
    switch (input._tag) {
      case "Init":
      case "Timer":
        return JSON.stringify(input)
      case "Recover":
        return JSON.stringify({ _tag: "Recover", durable: encodeDurable(input.durable) } satisfies LoggedInput)
      case "Message":
        return `{"_tag":"Message","from":${JSON.stringify(input.from)},"message":${arrived(input.message)}}`
      case "Request":
        return `{"_tag":"Request","client":${JSON.stringify(input.client)},"request":${JSON.stringify(encodeRequest(input.request))}}`
    }
  }

  const outputText = outputJson(hosted)
  /**
   * A step's line, built as text field by field in StepRecord's order, so a
   * message's JSON is made once for the log and the wire; the durable
   * digest on a batch's last step alone, as no other state of it was saved.
   */
  const stepLine = ({ at, input, step, endsBatch }: RecordedStep): string => {
    const out = step.out.map(outputText).join(",")
    const durable = endsBatch ? `,"durable":${JSON.stringify(digestOf(actor.durable(step.state)))}` : ""
    return `{"_tag":"Step","at":${at},"input":${inputJson(input)},"out":[${out}]${durable}}\n`
  }

  /** The last step recorded ends its batch: what the loop saves is the state after it. */
  const endBatch = (): void => {
    const last = recorded.at(-1)
    if (last !== undefined) last.endsBatch = true
  }

  /** Ends the batch and makes its steps text; false when they do not encode (the log is switched off). */
  const encodeBatch = (): boolean => {
    endBatch()
    try {
      for (; encoded < recorded.length; encoded++) pending.push(stepLine(recorded[encoded]!))
    } catch (error) {
      fail("a step does not encode with the spec's Schemas", error)
      return false
    }
    return true
  }

  const flush = (): void => {
    if (fd < 0 || !encodeBatch()) return
    recorded = []
    encoded = 0
    if (pending.length === 0) return
    const text = pending.join("")
    pending = []
    try {
      bytes += writeText(fd, text)
    } catch (error) {
      return fail("cannot write it", error)
    }
    if (bytes >= settings.maxFileBytes) rotate()
  }

  try {
    mkdirSync(dir, { recursive: true })
    const existing = segments(dir, config.self)
    const latest = existing.at(-1)
    openSegment(latest !== undefined && existsSync(join(dir, eventFileName(config.self, latest))) ? latest : 1)
    if (bytes >= settings.maxFileBytes) {
      closeSync(fd)
      openSegment(number + 1)
    }
    pending.push(JSON.stringify({
      _tag: "Start",
      format: EventLogFormat,
      spec: hosted.name,
      node: context.self,
      nodes: context.nodes,
      options: encodeOptions(config.options),
      ...(config.variant === undefined ? {} : { variant: config.variant }),
      pid: process.pid,
      at: Date.now()
    }) + "\n")
  } catch (error) {
    fail("cannot open it", error)
  }

  return {
    get failure() {
      return failure
    },
    record: (input, step) => {
      if (fd >= 0) recorded.push({ at: Date.now(), input, step, endsBatch: false })
    },
    flush,
    // A batch held back is encoded now all the same: at this turn, after its outputs, rather than on a later request batch's path.
    settle: () => {
      if (fd < 0 || !encodeBatch()) return
      if (!holdsBack(recorded, Date.now())) flush()
    },
    close: () => {
      flush()
      if (fd < 0) return
      closeSync(fd)
      fd = -1
    }
  }
}
