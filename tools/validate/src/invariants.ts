/**
 * The checked spec's safety properties on the global states of a merged
 * run: the system state the checker would hold at each point (every node's
 * state, or its durable state while down; the messages in flight; the
 * crashes so far; the spec's ghost history, updated after each step as the
 * checker updates it), and each `always` property and step property
 * (`alwaysStep`) judged on it. A real cluster has no scripted clients, so
 * properties see none and an empty client history: the history is checked
 * on its own (history.ts).
 */
import { Bag, SetOf } from "@parley/core"
import type { AnySystemSpec, Envelope, NodeId, NodeSlot, SystemState } from "@parley/core"
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

/**
 * The system state after each event of a merged run (the first: every
 * node's first step taken). Undefined when the spec's nodes are not the
 * cluster's: its properties would judge other nodes.
 */
export const globalStates = (system: AnySystemSpec, merged: Extract<Merged, { _tag: "Merged" }>): Array<AnyState> | string => {
  const ids = system.nodes.map((node) => node.id)
  const position = new Map<NodeId, number>(ids.map((id, index) => [id, index]))
  const nodes: Array<NodeSlot<unknown, unknown, unknown> | undefined> = ids.map(() => undefined)
  const seen = new Set(merged.events.flatMap((event) => (event._tag === "Step" ? [event.step.node] : [event.node])))
  const strangers = [...seen].filter((id) => !position.has(id))
  if (strangers.length > 0 || seen.size !== ids.length) {
    return `the checked spec's nodes (${ids.join(", ")}) are not the cluster's (${[...seen].join(", ")})`
  }
  /** Messages sent that some node will receive, by the send that put them in flight. */
  const inFlight: Array<{ readonly key: string; readonly envelope: AnyEnvelope }> = []
  const received = new Set<string>()
  for (const [step, send] of merged.sends) received.add(`${send.node}#${send.index}>${step.node}`)
  let ghost = system.ghost?.init
  let crashes = 0
  const states: Array<AnyState> = []
  const snapshot = (): AnyState => ({
    nodes: nodes.map((slot) => slot!),
    clients: [],
    network: networkOf(system, inFlight.map((entry) => entry.envelope)),
    crashes,
    history: [],
    ...(system.ghost === undefined ? {} : { ghost })
  })
  for (const [index, event] of merged.events.entries()) {
    if (event._tag === "Crash") {
      const slot = nodes[position.get(event.node)!]!
      if (slot.up) nodes[position.get(event.node)!] = { up: false, durable: system.nodes[position.get(event.node)!]!.actor.durable(slot.state) }
      crashes++
    } else {
      const { step } = event
      if (step.logged.input._tag === "Message") {
        const from = merged.sends.get(step)!
        const key = `${from.node}#${from.index}>${step.node}`
        const at = inFlight.findIndex((entry) => entry.key === key && entry.envelope.to === step.node)
        if (at >= 0) inFlight.splice(at, 1)
      }
      nodes[position.get(step.node)!] = { up: true, state: step.after, timers: SetOf.empty() }
      if (system.ghost !== undefined) ghost = system.ghost.observe(ghost, step.node, step.before, step.after)
      for (const output of step.out) {
        if (output._tag !== "Send" || !received.has(`${step.node}#${step.index}>${output.to}`)) continue
        inFlight.push({ key: `${step.node}#${step.index}>${output.to}`, envelope: { from: step.node, to: output.to, kind: "message", body: output.message } })
      }
    }
    // Every node's start leads the run: the first global state is the one after the last of them.
    if (nodes.every((slot) => slot !== undefined)) states.push(snapshot())
    else if (index === merged.events.length - 1) return "a node of the cluster logged no step"
  }
  return states
}

/** The first state (or step between states) that breaks an `always` property or a step property. */
export const firstViolation = (system: AnySystemSpec, states: ReadonlyArray<AnyState>): { readonly property: string; readonly state: number } | undefined => {
  const invariants = system.properties.filter((property) => property.kind === "always")
  const transitions = system.transitions ?? []
  for (const [index, state] of states.entries()) {
    for (const property of invariants) if (!property.holds(state)) return { property: property.name, state: index }
    const before = states[index - 1]
    if (before === undefined) continue
    for (const transition of transitions) if (!transition.holds(before, state)) return { property: transition.name, state: index }
  }
  return undefined
}
