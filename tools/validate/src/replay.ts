/**
 * One node's log replayed through the hosted spec's reducer: each run from
 * `init` or from `recover` with the durable state it logged, every step fed
 * the input it logged, and what the step produced compared with what the
 * node logged: its outputs, in the spec's encoding, and the digest of its
 * durable state. The binary that ran is the reducer that was checked, and
 * it is deterministic, so they are equal; the first step where they are
 * not is the divergence (the digest where the log has one: on each batch's
 * last step). A run's recovered durable state should be one its previous
 * run logged at a batch's end (what it saved); one that is not is kept on the
 * run for lost-batch.ts, which rebuilds the batch a kill -9 kept from the
 * log, or reports that storage lost or made up a state.
 */
import { equals } from "@parley/core"
import type { AnyHostedSpec, NodeContext, NodeId, Output, Step } from "@parley/core"
import { digesterFor, outputEncoder, takeInput } from "@parley/runtime"
import type { Digester, LoggedOutput, ReadableFormat, StepInput } from "@parley/runtime"
import { Result, Schema } from "effect"
import type { Incarnation, LoggedStep, NodeLog } from "./read.ts"

type AnyOutput = Output<unknown, unknown, unknown>
type AnyStep = Step<unknown, unknown, unknown, unknown>

export interface ReplayedStep {
  readonly node: NodeId
  /** The step's number in the node's whole log, from 0. */
  readonly index: number
  /** Which run of the node it belongs to, from 0. */
  readonly incarnation: number
  readonly logged: LoggedStep
  /** The state before the step; undefined for a run's first step. */
  readonly before: unknown
  readonly after: unknown
  /** The outputs as the reducer gave them (decoded values). */
  readonly out: ReadonlyArray<AnyOutput>
  /** Not in the log: rebuilt by validate as the batch a kill -9 kept from it (lost-batch.ts). */
  readonly lost?: true
}

/** One run of a node as replayed: what a lost batch at its end is rebuilt from. */
export interface ReplayedRun {
  readonly incarnation: number
  readonly actor: ReturnType<AnyHostedSpec["actor"]>
  readonly context: NodeContext
  /** The state after its last logged step, and that step's clock. */
  readonly last: unknown
  readonly lastAt: number
  /** The timers its steps set and did not cancel or see fire, by key. */
  readonly timers: ReadonlyMap<string, unknown>
  /** The digests of the durable states it logged: each batch's end, the states it saved and a restart may recover. */
  readonly digests: ReadonlySet<string>
  /** The digester of its log's format, which made them. */
  readonly digest: Digester
  /** The clock of the next run's start, when there is one: its lost batch ran before. */
  readonly nextStartAt: number | undefined
  /** The digest the next run recovered when this run logged no such durable state, and where it says so. */
  readonly unloggedRecovery: { readonly digest: string; readonly where: string } | undefined
}

export type DivergenceKind = "outputs" | "durable" | "throws" | "start" | "recovered"

export interface Divergence {
  readonly node: NodeId
  readonly index: number
  readonly incarnation: number
  readonly where: string
  readonly kind: DivergenceKind
  /** What the log says; what the replay gave. */
  readonly expected: string
  readonly got: string
}

export interface ReplayedNode {
  readonly node: NodeId
  readonly steps: ReadonlyArray<ReplayedStep>
  readonly runs: ReadonlyArray<ReplayedRun>
  readonly divergence: Divergence | undefined
}

const normalize = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

export const describeOutputs = (out: ReadonlyArray<unknown>): string =>
  out.length === 0 ? "no outputs" : out.map((output) => JSON.stringify(output)).join("\n")

const describeInput = (input: StepInput): string => JSON.stringify(input)

const isStart = (input: StepInput): boolean => input._tag === "Init" || input._tag === "Recover"

interface Cursor {
  readonly node: NodeId
  readonly hosted: AnyHostedSpec
  readonly encode: (output: AnyOutput) => LoggedOutput
  /** This node's digesters by its logs' formats, each digesting as its live node did. */
  readonly digesters: Map<ReadableFormat, Digester>
  readonly steps: Array<ReplayedStep>
  readonly runs: Array<ReplayedRun>
  index: number
}

/** One run; the divergence, if any. */
const replayIncarnation = (cursor: Cursor, incarnation: Incarnation, number: number): Divergence | undefined => {
  const { hosted, node } = cursor
  const options = Schema.decodeUnknownResult(hosted.options)(incarnation.start.options)
  if (Result.isFailure(options)) {
    const where = incarnation.steps[0]?.where ?? "its start"
    return { node, index: cursor.index, incarnation: number, where, kind: "start", expected: `options that fit ${hosted.name}'s`, got: JSON.stringify(incarnation.start.options) }
  }
  const actor = hosted.actor(incarnation.start.nodes, options.success, incarnation.start.variant)
  const digest = digesterOf(cursor, incarnation.start.format)
  const context: NodeContext = { self: node, nodes: incarnation.start.nodes }
  let state: unknown
  const timers = new Map<string, unknown>()
  const digests = new Set<string>()
  for (const [position, logged] of incarnation.steps.entries()) {
    const diverged = (kind: DivergenceKind, expected: string, got: string): Divergence =>
      ({ node, index: cursor.index, incarnation: number, where: logged.where, kind, expected, got })
    const input = logged.input
    if (isStart(input) !== (position === 0)) {
      return diverged("start", position === 0 ? "a run that begins with Init or Recover" : "Init or Recover only at a run's start", describeInput(input))
    }
    if (position === 0) noteNextRun(cursor, incarnation.start.at, logged)
    let step: AnyStep
    try {
      step = apply(actor, context, state, input)
    } catch (error) {
      return diverged("throws", describeOutputs(logged.out), `the reducer threw: ${error instanceof Error ? error.message : String(error)}`)
    }
    const out = normalize(step.out.map(cursor.encode)) as ReadonlyArray<LoggedOutput>
    if (!equals(out, normalize(logged.out))) return diverged("outputs", describeOutputs(logged.out), describeOutputs(out))
    // A batch's last step carries the digest of the state the node saved; the states before it never reached the disk.
    if (logged.durable !== undefined) {
      const digested = digest(actor.durable(step.state))
      if (digested !== logged.durable) return diverged("durable", `durable state ${logged.durable}`, `durable state ${digested}`)
      digests.add(digested)
    }
    cursor.steps.push({ node, index: cursor.index, incarnation: number, logged, before: state, after: step.state, out: step.out })
    state = step.state
    cursor.index++
    trackTimers(timers, input, step.out)
  }
  const lastAt = incarnation.steps.at(-1)?.at ?? incarnation.start.at
  cursor.runs.push({ incarnation: number, actor, context, last: state, lastAt, timers, digests, digest, nextStartAt: undefined, unloggedRecovery: undefined })
  return undefined
}

/** The node's digester for logs of `format`, one for all its runs of that format (its chains carry over). */
const digesterOf = (cursor: Cursor, format: ReadableFormat): Digester => {
  let digester = cursor.digesters.get(format)
  if (digester === undefined) {
    digester = digesterFor(format)
    cursor.digesters.set(format, digester)
  }
  return digester
}

/** Tells the previous run when the next began, and which durable state the next recovered when the previous never logged it. */
const noteNextRun = (cursor: Cursor, startAt: number, first: LoggedStep): void => {
  const previous = cursor.runs.at(-1)
  if (previous === undefined) return
  // Digested as the previous run digested what it saved, whichever format this run's log has.
  const recovered = first.input._tag === "Recover" && previous.digests.size > 0 ? previous.digest(first.input.durable) : undefined
  const unlogged = recovered !== undefined && !previous.digests.has(recovered)
  cursor.runs[cursor.runs.length - 1] = { ...previous, nextStartAt: startAt, ...(unlogged ? { unloggedRecovery: { digest: recovered, where: first.where } } : {}) }
}

/** The timers armed after a step: a firing disarms its timer, a set arms one, a cancel disarms it; keyed as the runtime keys them. */
export const trackTimers = (timers: Map<string, unknown>, input: StepInput, out: ReadonlyArray<AnyOutput>): void => {
  if (input._tag === "Timer") timers.delete(JSON.stringify(input.timer))
  for (const output of out) {
    if (output._tag === "SetTimer") timers.set(JSON.stringify(output.timer), output.timer)
    if (output._tag === "CancelTimer") timers.delete(JSON.stringify(output.timer))
  }
}

export const apply = (
  actor: ReturnType<AnyHostedSpec["actor"]>,
  context: NodeContext,
  state: unknown,
  input: StepInput
): AnyStep => {
  switch (input._tag) {
    case "Init":
      return actor.init(context)
    case "Recover":
      return actor.recover(context, input.durable)
    default:
      return takeInput(actor, state, input)
  }
}

/** Replays every run of `log`; stops at the first divergence. */
export const replayNode = (log: NodeLog, hosted: AnyHostedSpec): ReplayedNode => {
  const cursor: Cursor = { node: log.node, hosted, encode: outputEncoder(hosted), digesters: new Map(), steps: [], runs: [], index: 0 }
  for (const [number, incarnation] of log.incarnations.entries()) {
    const divergence = replayIncarnation(cursor, incarnation, number)
    if (divergence !== undefined) return { node: log.node, steps: cursor.steps, runs: cursor.runs, divergence }
  }
  return { node: log.node, steps: cursor.steps, runs: cursor.runs, divergence: undefined }
}

/** What a divergence says in a line or three. */
export const describeDivergence = (d: Divergence): string =>
  `${d.node} diverges at its step ${d.index} (run ${d.incarnation + 1}, ${d.where}): ${d.kind}\n  logged:   ${d.expected.replace(/\n/g, "\n            ")}\n  replayed: ${d.got.replace(/\n/g, "\n            ")}`
