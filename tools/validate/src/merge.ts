/**
 * The nodes' replayed logs merged into one run of the whole cluster. Each
 * receive is matched to a send: on the link from its sender, the earliest
 * send of an equal message not yet matched (a link may drop messages, so a
 * link's receives are a subsequence of its sends). The run then takes the
 * nodes' steps in their own order, each receive after its send, and among
 * the steps that may go next the earliest by the nodes' clocks. Every
 * node's first step (its start) leads the run; a node that ran again
 * crashes just after its run's last logged step.
 */
import { fingerprint } from "@parley/core"
import type { NodeId } from "@parley/core"
import type { ReplayedNode, ReplayedStep } from "./replay.ts"

export type GlobalEvent =
  | { readonly _tag: "Step"; readonly step: ReplayedStep }
  | { readonly _tag: "Crash"; readonly node: NodeId }

export interface SendRef {
  readonly node: NodeId
  readonly index: number
}

export type Merged =
  | { readonly _tag: "Merged"; readonly events: ReadonlyArray<GlobalEvent>; readonly sends: ReadonlyMap<ReplayedStep, SendRef> }
  /** A receive that no send explains: the step, and why. */
  | { readonly _tag: "Unmatched"; readonly step: ReplayedStep; readonly message: string }

export const linkKey = (from: NodeId, to: NodeId, wire: unknown): string => `${from}->${to}:${fingerprint(wire).toString(16)}`

/** Every send, queued by link and message, in each sender's order. */
const sendQueues = (nodes: ReadonlyArray<ReplayedNode>): Map<string, { readonly sends: Array<SendRef>; next: number }> => {
  const queues = new Map<string, { readonly sends: Array<SendRef>; next: number }>()
  for (const node of nodes) {
    for (const step of node.steps) {
      for (const output of step.logged.out) {
        if (output._tag !== "Send") continue
        const key = linkKey(node.node, output.to, output.message)
        const queue = queues.get(key)
        if (queue === undefined) queues.set(key, { sends: [{ node: node.node, index: step.index }], next: 0 })
        else queue.sends.push({ node: node.node, index: step.index })
      }
    }
  }
  return queues
}

/** Each receive's send, and the receives no send explains, in each receiver's order. */
export const matchSends = (nodes: ReadonlyArray<ReplayedNode>): { readonly matched: Map<ReplayedStep, SendRef>; readonly unmatched: ReadonlyArray<ReplayedStep> } => {
  const queues = sendQueues(nodes)
  const matched = new Map<ReplayedStep, SendRef>()
  const unmatched: Array<ReplayedStep> = []
  for (const node of nodes) {
    for (const step of node.steps) {
      const input = step.logged.input
      if (input._tag !== "Message") continue
      const queue = queues.get(linkKey(input.from, node.node, step.logged.wire))
      const send = queue?.sends[queue.next]
      if (queue === undefined || send === undefined) {
        unmatched.push(step)
        continue
      }
      queue.next++
      matched.set(step, send)
    }
  }
  return { matched, unmatched }
}

const unmatchedMessage = (step: ReplayedStep): string => {
  const from = step.logged.input._tag === "Message" ? step.logged.input.from : "?"
  return `${step.node} received from ${from} a message that ${from}'s log never sent (or sent fewer times): ${JSON.stringify(step.logged.wire)}`
}

export const mergeRun = (nodes: ReadonlyArray<ReplayedNode>): Merged => {
  const { matched, unmatched } = matchSends(nodes)
  const first = unmatched[0]
  if (first !== undefined) return { _tag: "Unmatched", step: first, message: unmatchedMessage(first) }
  const events: Array<GlobalEvent> = []
  /** How many of each node's steps the run has taken. */
  const taken = new Map<NodeId, number>(nodes.map((node) => [node.node, 0]))
  const take = (node: ReplayedNode): void => {
    const position = taken.get(node.node)!
    const step = node.steps[position]!
    events.push({ _tag: "Step", step })
    taken.set(node.node, position + 1)
    const next = node.steps[position + 1]
    if (next !== undefined && next.incarnation !== step.incarnation) events.push({ _tag: "Crash", node: node.node })
  }
  for (const node of nodes) if (node.steps.length > 0) take(node)
  const ready = (node: ReplayedNode): ReplayedStep | undefined => {
    const step = node.steps[taken.get(node.node)!]
    if (step === undefined) return undefined
    const send = matched.get(step)
    return send === undefined || taken.get(send.node)! > send.index ? step : undefined
  }
  while (true) {
    let best: ReplayedNode | undefined
    let bestAt = Number.POSITIVE_INFINITY
    for (const node of nodes) {
      const step = ready(node)
      if (step !== undefined && step.logged.at < bestAt) {
        best = node
        bestAt = step.logged.at
      }
    }
    if (best === undefined) break
    take(best)
  }
  const stuck = nodes.find((node) => taken.get(node.node)! < node.steps.length)
  if (stuck !== undefined) {
    const step = stuck.steps[taken.get(stuck.node)!]!
    return { _tag: "Unmatched", step, message: `${stuck.node}'s step ${step.index} waits on a send that can only come after it: the logs are not one run` }
  }
  return { _tag: "Merged", events, sends: matched }
}
