/**
 * The checked spec's safety properties on the global states of a merged
 * run: the system state the checker would hold at each point (every node's
 * state, or its durable state while down; the messages in flight; the
 * crashes so far; the clients' history as the nodes saw it; the spec's
 * ghost history, updated after each step as the checker updates it), and
 * each `always` property and step property (`alwaysStep`) judged on it. A
 * real cluster has no scripted clients, so properties see none.
 */
import { Bag, SetOf } from "@parley/core"
import type { AnyHostedSpec, AnySystemSpec, Envelope, HistoryEvent, NodeId, NodeSlot, SystemState } from "@parley/core"
import type { Merged } from "./merge.ts"

type AnyState = SystemState<unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown>
type AnyEnvelope = Envelope<unknown, unknown, unknown>

const networkOf = (system: AnySystemSpec, envelopes: ReadonlyArray<AnyEnvelope>): AnyState["network"] => {
  switch (system.network) {
    case "unordered":
      return Bag.from(envelopes)
    case "duplicating":
      return SetOf.from(envelopes)
    case "ordered": {
      const links: Record<string, Array<AnyEnvelope>> = {}
      for (const envelope of envelopes) (links[`${envelope.from}->${envelope.to}`] ??= []).push(envelope)
      return links
    }
  }
}

/** What judging a run found: the first property broken and the event after which, or how many states held. */
export type RunJudgement =
  | { readonly _tag: "Held"; readonly states: number; readonly properties: ReadonlyArray<string> }
  | { readonly _tag: "Broken"; readonly property: string; readonly event: number }
  /** The spec's nodes are not the cluster's: its properties would judge other nodes. */
  | { readonly _tag: "Inapplicable"; readonly reason: string }
  /** The time ran out after `states` of the run's `events`: those held. */
  | { readonly _tag: "OutOfTime"; readonly states: number; readonly events: number }

/**
 * Judges every global state of a merged run, from the one after every
 * node's start on. The clients' history grows as nodes take requests
 * (an invocation, once per client and request) and answer them (a return,
 * once per client and sequence number); properties named in `skip` (the
 * history's linearizability, which the history check judges once) are
 * left out. Past `maxMilliseconds` the judgement stops with what held so
 * far. States are judged as they are made and not kept: a state's
 * history is the run's, shared, as long as it is being judged.
 */
export const judgeRun = (
  system: AnySystemSpec,
  hosted: AnyHostedSpec,
  merged: Extract<Merged, { _tag: "Merged" }>,
  skip: ReadonlySet<string>,
  maxMilliseconds: number
): RunJudgement => {
  const deadline = performance.now() + maxMilliseconds
  const ids = system.nodes.map((node) => node.id)
  const position = new Map<NodeId, number>(ids.map((id, index) => [id, index]))
  const seen = new Set(merged.events.flatMap((event) => (event._tag === "Step" ? [event.step.node] : [event.node])))
  if ([...seen].some((id) => !position.has(id)) || seen.size !== ids.length) {
    return { _tag: "Inapplicable", reason: `the checked spec's nodes (${ids.join(", ")}) are not the cluster's (${[...seen].join(", ")})` }
  }
  const invariants = system.properties.filter((property) => property.kind === "always" && !skip.has(property.name))
  const transitions = (system.transitions ?? []).filter((transition) => !skip.has(transition.name))
  const nodes: Array<NodeSlot<unknown, unknown, unknown> | undefined> = ids.map(() => undefined)
  const inFlight: Array<{ readonly key: string; readonly envelope: AnyEnvelope }> = []
  const received = new Set<string>()
  for (const [step, send] of merged.sends) received.add(`${send.node}#${send.index}>${step.node}`)
  const history: Array<HistoryEvent<unknown, unknown>> = []
  const invoked = new Set<string>()
  const answered = new Set<string>()
  let ghost = system.ghost?.init
  let crashes = 0
  let before: AnyState | undefined
  let judged = 0
  for (const [index, event] of merged.events.entries()) {
    if (event._tag === "Crash") {
      const at = position.get(event.node)!
      const slot = nodes[at]!
      if (slot.up) nodes[at] = { up: false, durable: system.nodes[at]!.actor.durable(slot.state) }
      crashes++
    } else {
      const { step } = event
      const input = step.logged.input
      if (input._tag === "Message") {
        const from = merged.sends.get(step)!
        const key = `${from.node}#${from.index}>${step.node}`
        const at = inFlight.findIndex((entry) => entry.key === key)
        if (at >= 0) inFlight.splice(at, 1)
      }
      if (input._tag === "Request") {
        const key = `${input.client} ${JSON.stringify(input.request)}`
        if (!invoked.has(key)) history.push({ _tag: "Invoke", client: input.client, node: step.node, request: input.request })
        invoked.add(key)
      }
      nodes[position.get(step.node)!] = { up: true, state: step.after, timers: SetOf.empty() }
      if (system.ghost !== undefined) ghost = system.ghost.observe(ghost, step.node, step.before, step.after)
      for (const output of step.out) {
        if (output._tag === "Reply" && hosted.api.outcome(output.response)._tag === "Answer") {
          const key = `${output.client}#${hosted.api.answers(output.response)}`
          if (!answered.has(key)) history.push({ _tag: "Return", client: output.client, node: step.node, response: output.response })
          answered.add(key)
        }
        if (output._tag !== "Send" || !received.has(`${step.node}#${step.index}>${output.to}`)) continue
        inFlight.push({ key: `${step.node}#${step.index}>${output.to}`, envelope: { from: step.node, to: output.to, kind: "message", body: output.message } })
      }
    }
    // Every node's start leads the run: the first global state is the one after the last of them.
    if (nodes.some((slot) => slot === undefined)) continue
    if ((judged & 255) === 0 && performance.now() > deadline) return { _tag: "OutOfTime", states: judged, events: merged.events.length }
    const state: AnyState = {
      nodes: nodes.map((slot) => slot!),
      clients: [],
      network: networkOf(system, inFlight.map((entry) => entry.envelope)),
      crashes,
      history,
      ...(system.ghost === undefined ? {} : { ghost })
    }
    for (const property of invariants) if (!property.holds(state)) return { _tag: "Broken", property: property.name, event: index }
    if (before !== undefined) {
      for (const transition of transitions) if (!transition.holds(before, state)) return { _tag: "Broken", property: transition.name, event: index }
    }
    before = state
    judged++
  }
  return { _tag: "Held", states: judged, properties: [...invariants.map((property) => property.name), ...transitions.map((transition) => transition.name)] }
}
