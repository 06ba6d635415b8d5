/**
 * The replayer's side of each trace step: it is the network (every message
 * a real node sent, held until the trace delivers or loses it) and the
 * clients (the checker's scripted clients, whose requests it hands to the
 * node the trace names). Each step is made to happen on the real node it
 * concerns, and what the node did is compared with what the checker's
 * node did: what it sent, its timers, and its whole state.
 */
import { equals, inFlight } from "@parley/core"
import type { NodeId, StepEvent } from "@parley/core"
import { timerKey } from "@parley/runtime"
import type { ControlEvent, ControlReport } from "@parley/runtime"
import { Effect } from "effect"
import { UsageError } from "./errors.ts"
import type { CheckedState, ReplayPlan } from "./replay-plan.ts"

/** A message or reply a real node sent, not yet delivered or lost. */
interface Held {
  readonly from: NodeId
  readonly to: string
  readonly body: unknown
  /** As the trace prints it. */
  readonly text: string
}

/** A step that did not happen as the trace says: `message` says what differs. */
export class Divergence extends Error {
  override readonly name = "Divergence"
}

const diverged = (message: string) => Effect.fail(new Divergence(message))

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === "object" && value !== null && !Array.isArray(value)

/** Where two states differ: each top-level field that does, the real value first; or both whole. */
const difference = (real: unknown, checked: unknown): string => {
  if (!isRecord(real) || !isRecord(checked)) return `${JSON.stringify(real)} here, ${JSON.stringify(checked)} in the trace`
  const fields = [...new Set([...Object.keys(real), ...Object.keys(checked)])].filter((field) => !equals(real[field], checked[field]))
  return fields.map((field) => `${field} ${JSON.stringify(real[field]) ?? "absent"} here, ${JSON.stringify(checked[field]) ?? "absent"} in the trace`).join("; ")
}

/** The real nodes as the replayer drives them: ReplayCluster's processes, or a stand-in in a test. */
export interface ControlledNodes {
  /** What the node did since its last report; waits for a node that is starting. */
  awaitReport(id: NodeId): Effect.Effect<ControlReport, UsageError>
  /** The node takes `event`; its report once the step is done. */
  step(id: NodeId, event: ControlEvent): Effect.Effect<ControlReport, UsageError>
  kill(id: NodeId): void
  /** Starts a killed node again on its durable state; its report is its recovery. */
  restart(id: NodeId): Effect.Effect<ControlReport, UsageError>
}

export class Replayer {
  private readonly held: Array<Held> = []
  /** Each live node's state as it last reported it. */
  readonly realStates = new Map<NodeId, unknown>()
  /** Each node the replayer plays, as the checker's last step of it left it. */
  private readonly playedStates = new Map<NodeId, unknown>()
  /** The spec's history variable (its ghost), kept over the real nodes' steps as the checker keeps it over its own. */
  realGhost: unknown
  /** The real states and ghost before the last step taken, for a property of steps. */
  beforeLast: { readonly states: ReadonlyMap<NodeId, unknown>; readonly ghost: unknown } = { states: new Map(), ghost: undefined }
  private readonly nodeIds: ReadonlyArray<NodeId>
  /** The checker's scripted clients, and the checked nodes that run as no process: the replayer plays both from the checker's states. */
  private readonly clientIds: ReadonlySet<string>
  private readonly playedIds: ReadonlySet<string>

  constructor(private readonly plan: ReplayPlan, private readonly cluster: ControlledNodes) {
    this.nodeIds = plan.system.nodes.map((node) => node.id)
    this.clientIds = new Set(plan.system.clients.map((client) => client.id))
    this.playedIds = new Set(this.nodeIds.filter((id) => !plan.processes.includes(id)))
    this.realGhost = plan.system.ghost?.init
  }

  /** Whether the replayer plays `id` (a scripted client or a node run as no process), rather than a real node. */
  private plays(id: string): boolean {
    return this.clientIds.has(id) || this.playedIds.has(id)
  }

  /** A node the replayer plays, after its step: its state is the checker's, and the history observes it as the checker's did. */
  private observePlayed(node: NodeId, after: CheckedState): void {
    const slot = after.nodes[this.nodeIds.indexOf(node)]
    if (slot === undefined) return
    const ghost = this.plan.system.ghost
    if (ghost !== undefined && slot.up) this.realGhost = ghost.observe(this.realGhost, node, this.playedStates.get(node), slot.state)
    if (slot.up) this.playedStates.set(node, slot.state)
    else this.playedStates.delete(node)
  }

  /** A step of a node the replayer plays, and the line that says so. */
  private played(node: NodeId, after: CheckedState, what: string): string {
    this.observePlayed(node, after)
    return `${what} (${node} is the checker's)`
  }

  /** The real node's new state, and the history it adds to, as the checker's `performNode` observes a step. */
  private observe(node: NodeId, state: unknown): void {
    const ghost = this.plan.system.ghost
    if (ghost !== undefined) this.realGhost = ghost.observe(this.realGhost, node, this.realStates.get(node), state)
    this.realStates.set(node, state)
  }

  private format(kind: "message" | "response", body: unknown): string {
    const { system } = this.plan
    return kind === "message" ? system.formatMessage(body) : system.formatResponse?.(body) ?? "response"
  }

  /** Takes what a node reported into the network; the lines of what it sent, as the trace prints them. */
  private collect(from: NodeId, report: ControlReport): ReadonlyArray<string> {
    const sent = [
      ...report.sent.map((send) => ({ from, to: send.to, body: send.message, text: this.format("message", send.message) })),
      ...report.replies.map((reply) => ({ from, to: reply.client, body: reply.response, text: this.format("response", reply.response) }))
    ]
    this.held.push(...sent)
    return sent.map((held) => `${held.text} → ${held.to}`)
  }

  /**
   * The held message the trace's step names: same sender, receiver and
   * content, the oldest first (links keep their order). Delivered, it stays
   * held on a duplicating network, which may deliver it again; lost, it goes.
   */
  private take(from: string, to: string, text: string, delivered: boolean) {
    const at = this.held.findIndex((held) => held.from === from && held.to === to && held.text === text)
    if (at === -1) {
      const waiting = this.held.filter((held) => held.to === to).map((held) => `${held.text} from ${held.from}`)
      return diverged(`no node sent ${text} from ${from} to ${to}; held for ${to}: ${waiting.join("; ") || "nothing"}`)
    }
    const held = this.held[at]!
    if (!delivered || this.plan.system.network !== "duplicating") this.held.splice(at, 1)
    return Effect.succeed(held)
  }

  /** The real node's report against the checker's node after the step, and against what the step sent in the trace. */
  private compare(node: NodeId, report: ControlReport, after: CheckedState, wanted: ReadonlyArray<string>) {
    const index = this.nodeIds.indexOf(node)
    const slot = after.nodes[index]!
    const sent = this.collect(node, report)
    this.observe(node, report.state)
    if (!slot.up) return diverged(`${node} is down in the trace but its process answered`)
    if (!equals([...sent].sort(), [...wanted].sort())) {
      return diverged(`${node} sent ${sent.join(", ") || "nothing"}; the trace's node sent ${wanted.join(", ") || "nothing"}`)
    }
    const checked = JSON.parse(JSON.stringify(slot.state)) as unknown
    if (!equals(report.state, checked)) return diverged(`${node}'s state differs from the trace's node's: ${difference(report.state, checked)}`)
    const durable = this.plan.durableOf(slot.state)
    const realDurable = JSON.parse(JSON.stringify(report.durable)) as unknown
    if (!equals(realDurable, durable)) return diverged(`${node}'s durable state differs from the trace's node's: ${difference(realDurable, durable)}`)
    const armed = [...report.armed].sort()
    const timers = slot.timers.map(timerKey).sort()
    if (!equals(armed, timers)) return diverged(`${node}'s armed timers are ${armed.join(", ") || "none"}; the trace's node's are ${timers.join(", ") || "none"}`)
    return Effect.succeed(sent.length === 0 ? "state matches" : `sent ${sent.join(", ")}; state matches`)
  }

  /** The envelope of the checker's network before a step that the trace prints as `text`, from a party the replayer plays. */
  private inFlight(before: CheckedState, kind: "request" | "message", from: string, to: string, text: string) {
    const { system } = this.plan
    return inFlight(before.network).find((envelope) =>
      envelope.kind === kind && envelope.from === from && envelope.to === to &&
      (kind === "request" ? system.formatRequest?.(envelope.body) ?? "request" : system.formatMessage(envelope.body)) === text
    )
  }

  /** What the checker's node sent on starting: what its initial network holds from it. */
  private sentOnStart(node: NodeId): ReadonlyArray<string> {
    return inFlight(this.plan.states[0]!.network).flatMap((envelope) =>
      envelope.from !== node || envelope.kind === "request" ? [] : [`${this.format(envelope.kind, envelope.body)} → ${envelope.to}`]
    )
  }

  /** Every node's start, as the trace's initial state has it. */
  start() {
    const replayer = this
    for (const node of this.playedIds) this.observePlayed(node, this.plan.states[0]!)
    return Effect.forEach(this.plan.processes, (node) =>
      Effect.gen(function*() {
        const report = yield* replayer.cluster.awaitReport(node)
        return `${node} started: ${yield* replayer.compare(node, report, replayer.plan.states[0]!, replayer.sentOnStart(node))}`
      }))
  }

  /** Makes step `index` of the trace happen; one line of what it did. */
  step(index: number): Effect.Effect<string, Divergence | UsageError> {
    this.beforeLast = { states: new Map(this.realStates), ghost: this.realGhost }
    const event: StepEvent = this.plan.trace.steps[index]!.event
    const before = this.plan.states[index]!
    const after = this.plan.states[index + 1]!
    const sent = "sent" in event ? (event.sent ?? []).map((line) => `${line.message} → ${line.to}`) : []
    const replayer = this
    switch (event._tag) {
      case "Deliver":
        return Effect.gen(function*() {
          if (replayer.plays(event.to)) {
            // What a real node sent must have been sent; what the checker's sent to its own is the checker's.
            if (!replayer.plays(event.from)) yield* replayer.take(event.from, event.to, event.message, true)
            if (replayer.clientIds.has(event.to)) return `${event.to} got ${event.message} from ${event.from} (the client is the checker's)`
            return replayer.played(event.to, after, `${event.to} got ${event.message} from ${event.from}`)
          }
          if (replayer.clientIds.has(event.from)) {
            const request = replayer.inFlight(before, "request", event.from, event.to, event.message)
            if (request === undefined) return yield* diverged(`the checker's client ${event.from} has no ${event.message} for ${event.to} in flight`)
            const report = yield* replayer.cluster.step(event.to, { _tag: "Request", client: event.from, request: request.body })
            return `request handed to ${event.to}: ${yield* replayer.compare(event.to, report, after, sent)}`
          }
          if (replayer.playedIds.has(event.from)) {
            const message = replayer.inFlight(before, "message", event.from, event.to, event.message)
            if (message === undefined) return yield* diverged(`the checker's ${event.from} has no ${event.message} for ${event.to} in flight`)
            const report = yield* replayer.cluster.step(event.to, { _tag: "Message", from: event.from, message: message.body })
            return `${event.from}'s message handed to ${event.to}: ${yield* replayer.compare(event.to, report, after, sent)}`
          }
          const held = yield* replayer.take(event.from, event.to, event.message, true)
          const report = yield* replayer.cluster.step(event.to, { _tag: "Message", from: held.from, message: held.body })
          return `delivered: ${yield* replayer.compare(event.to, report, after, sent)}`
        })
      case "Drop":
        if (replayer.clientIds.has(event.from)) return Effect.succeed("the checker's client's request is lost")
        if (replayer.playedIds.has(event.from)) return Effect.succeed(`${event.from}'s message is lost (${event.from} is the checker's)`)
        return this.take(event.from, event.to, event.message, false).pipe(Effect.as("lost: the replayer drops it"))
      case "Timer": {
        if (this.clientIds.has(event.node)) return Effect.succeed("the checker's client's timer")
        if (this.playedIds.has(event.node)) return Effect.succeed(this.played(event.node, after, `${event.timer} fired`))
        const slot = before.nodes[this.nodeIds.indexOf(event.node)]
        const timer = slot?.up === true ? slot.timers.find((armed) => this.plan.system.formatTimer(armed) === event.timer) : undefined
        if (timer === undefined) return diverged(`the trace's ${event.node} has no timer ${event.timer} armed`)
        return this.cluster.step(event.node, { _tag: "Timer", key: timerKey(timer) }).pipe(
          Effect.flatMap((report) => this.compare(event.node, report, after, sent)),
          Effect.map((what) => `fired: ${what}`)
        )
      }
      case "Crash":
        if (this.playedIds.has(event.node)) return Effect.succeed(this.played(event.node, after, "crashed"))
        return Effect.sync(() => {
          this.cluster.kill(event.node)
          this.realStates.delete(event.node)
          return `kill -9 ${event.node}`
        })
      case "Restart":
        if (this.playedIds.has(event.node)) return Effect.succeed(this.played(event.node, after, "restarted"))
        return this.cluster.restart(event.node).pipe(
          Effect.flatMap((report) => this.compare(event.node, report, after, sent)),
          Effect.map((what) => `${event.node} started again on its durable state: ${what}`)
        )
      case "Local":
        if (this.clientIds.has(event.node)) return Effect.succeed("the checker's client's own step")
        return this.playedIds.has(event.node)
          ? Effect.succeed(this.played(event.node, after, event.label))
          : diverged(`${event.label} is a step the replayer cannot make happen on a node`)
    }
  }
}
