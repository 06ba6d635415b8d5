/**
 * A node's event log read back: its files in order, each line decoded with
 * the log's Schema and its payloads with the hosted spec's, grouped into
 * runs (one per start of the process). What does not decode is an error
 * naming the file and line, but for the last line of a run, which a crash
 * may have cut short: that one is noted and left out.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { EventLogRecord, eventFileName, eventFilePattern } from "@parley/runtime"
import type { LoggedOutput, StartRecord, StepInput } from "@parley/runtime"
import { Result, Schema } from "effect"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { EventLogUnreadable } from "./errors.ts"

export interface LoggedStep {
  /** When it ran, by the node's clock (ms since the epoch). */
  readonly at: number
  readonly input: StepInput
  /** A message's payload as logged (the spec's encoding), by which a receive is matched to its send. */
  readonly wire: unknown
  /** The outputs as logged, in the spec's encoding. */
  readonly out: ReadonlyArray<LoggedOutput>
  /** The digest of the durable state after the step, on a batch's last step (what the node saved); every step, in a version-2 log. */
  readonly durable: string | undefined
  /** `file:line`, for messages. */
  readonly where: string
}

/** One run of the node's process: its start record and its steps, the first of which is `Init` or `Recover`. */
export interface Incarnation {
  readonly start: StartRecord
  readonly steps: ReadonlyArray<LoggedStep>
}

export interface NodeLog {
  readonly node: NodeId
  readonly incarnations: ReadonlyArray<Incarnation>
  /** The oldest files were rotated away: the log begins in the middle of a run, which is left out. */
  readonly truncated: boolean
  readonly notes: ReadonlyArray<string>
}

const decodeRecord = Schema.decodeUnknownResult(Schema.fromJsonString(EventLogRecord))

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ")

/** Decodes a step's input payload with the hosted spec's Schemas. */
const inputDecoder = (hosted: AnyHostedSpec) => {
  const message = Schema.decodeUnknownResult(hosted.message)
  const request = Schema.decodeUnknownResult(hosted.request)
  const durable = Schema.decodeUnknownResult(hosted.durable)
  return (input: typeof EventLogRecord.Type & { readonly _tag: "Step" }): Result.Result<StepInput, string> => {
    const step = input.input
    switch (step._tag) {
      case "Init":
      case "Timer":
        return Result.succeed(step)
      case "Recover":
        return Result.mapBoth(durable(step.durable), {
          onSuccess: (value) => ({ _tag: "Recover" as const, durable: value }),
          onFailure: (error) => `a durable state that does not fit ${hosted.name}'s: ${oneLine(error.message)}`
        })
      case "Message":
        return Result.mapBoth(message(step.message), {
          onSuccess: (value) => ({ _tag: "Message" as const, from: step.from, message: value }),
          onFailure: (error) => `a message that does not fit ${hosted.name}'s: ${oneLine(error.message)}`
        })
      case "Request":
        return Result.mapBoth(request(step.request), {
          onSuccess: (value) => ({ _tag: "Request" as const, client: step.client, request: value }),
          onFailure: (error) => `a request that does not fit ${hosted.name}'s: ${oneLine(error.message)}`
        })
    }
  }
}

/** The numbers of `node`'s files in `dir`, oldest first. */
const fileNumbers = (dir: string, node: NodeId): ReadonlyArray<number> => {
  if (!existsSync(dir)) return []
  const pattern = eventFilePattern(node)
  return readdirSync(dir).flatMap((name) => {
    const match = pattern.exec(name)
    return match === null ? [] : [Number(match[1])]
  }).sort((a, b) => a - b)
}

/** `node`'s log in `dir` (a cluster's `events/`); a node that logged nothing has no runs. */
export const readNodeLog = (dir: string, node: NodeId, hosted: AnyHostedSpec): Result.Result<NodeLog, EventLogUnreadable> => {
  const decodeInput = inputDecoder(hosted)
  const incarnations: Array<{ start: StartRecord; steps: Array<LoggedStep> }> = []
  const notes: Array<string> = []
  let truncated = false
  /** A line that did not decode, forgiven if a new run or the end of the log follows it. */
  let suspect: { where: string; why: string } | undefined
  const numbers = fileNumbers(dir, node)
  if (numbers.length > 0 && numbers[0] !== 1) truncated = true
  for (const number of numbers) {
    const file = join(dir, eventFileName(node, number))
    const lines = readFileSync(file, "utf8").split("\n")
    for (let index = 0; index < lines.length; index++) {
      const text = lines[index]!
      if (text === "") continue
      const where = `${file}:${index + 1}`
      const record = decodeRecord(text)
      if (suspect !== undefined) {
        if (Result.isFailure(record) || record.success._tag !== "Start") {
          return Result.fail(new EventLogUnreadable({ path: suspect.where, message: `${suspect.where}: ${suspect.why}` }))
        }
        notes.push(`${suspect.where}: the last line of a run was cut short (a crash mid-write) and is left out`)
        suspect = undefined
      }
      if (Result.isFailure(record)) {
        suspect = { where, why: `not an event log record: ${oneLine(record.failure.message)}` }
        continue
      }
      const value = record.success
      if (value._tag === "Start") {
        if (value.node !== node || value.spec !== hosted.name) {
          return Result.fail(new EventLogUnreadable({ path: file, message: `${where}: a log of node ${value.node} of ${value.spec}, not of ${node} of ${hosted.name}` }))
        }
        incarnations.push({ start: value, steps: [] })
        continue
      }
      const current = incarnations.at(-1)
      if (current === undefined) {
        truncated = true
        continue
      }
      const input = decodeInput(value)
      if (Result.isFailure(input)) return Result.fail(new EventLogUnreadable({ path: file, message: `${where}: ${input.failure}` }))
      const wire = value.input._tag === "Message" ? value.input.message : undefined
      current.steps.push({ at: value.at, input: input.success, wire, out: value.out, durable: value.durable, where })
    }
    if (suspect !== undefined) {
      notes.push(`${suspect.where}: the last line of a run was cut short (a crash mid-write) and is left out`)
      suspect = undefined
    }
  }
  if (truncated) notes.push(`the oldest of ${node}'s log files were rotated away; its log is read from its first restart in what is kept`)
  return Result.succeed({ node, incarnations, truncated, notes })
}
