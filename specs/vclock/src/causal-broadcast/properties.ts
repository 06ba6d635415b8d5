/**
 * What causal broadcast promises, checked against the execution itself. The
 * happens-before relation is computed from what the nodes did, not from
 * the clocks: a message happened before another when it was delivered at
 * the other's origin before that one was broadcast (a node delivers its own
 * message as it broadcasts it), closed under transitivity. Then the
 * deliveries must respect it, and comparing two messages' clocks must give
 * exactly it.
 */
import { always, sometimes } from "@parley/core"
import type { Property, SystemSpec, SystemStateOf } from "@parley/core"
import { compare } from "../vclock.ts"
import type { CausalState } from "./node.ts"
import type { Broadcast, CausalDurable, CausalMessage, CausalRequest, CausalResponse, CausalTimer } from "./messages.ts"

export type CausalSystem = SystemSpec<CausalState, CausalMessage, CausalTimer, CausalRequest, CausalResponse, CausalDurable>
export type CausalSystemState = SystemStateOf<CausalSystem>

const nodesOf = (s: CausalSystemState): ReadonlyArray<CausalState> => s.nodes.flatMap((slot) => (slot.up ? [slot.state] : []))

const idOf = (m: Broadcast): string => `${m.origin}#${m.seq}`

export interface Execution {
  /** Every message broadcast, each as its origin logged it. */
  readonly messages: ReadonlyArray<Broadcast>
  /** `before[i][j]`: message i happened before message j. */
  readonly before: ReadonlyArray<ReadonlyArray<boolean>>
  readonly index: ReadonlyMap<string, number>
}

const executions = new WeakMap<CausalSystemState, Execution>()

/** The execution's happens-before over its broadcasts, computed once per state. */
export const executionOf = (s: CausalSystemState): Execution => {
  const known = executions.get(s)
  if (known !== undefined) return known
  const nodes = nodesOf(s)
  const messages = nodes.flatMap((node) => node.log.filter((m) => m.origin === node.self))
  const index = new Map(messages.map((m, i) => [idOf(m), i]))
  const before = messages.map(() => messages.map(() => false))
  for (const node of nodes) {
    const seen: Array<number> = []
    for (const m of node.log) {
      const i = index.get(idOf(m))!
      if (m.origin === node.self) for (const earlier of seen) before[earlier]![i] = true
      seen.push(i)
    }
  }
  // Transitive closure (Warshall): the relation is over a handful of messages.
  for (let k = 0; k < messages.length; k++) {
    for (let i = 0; i < messages.length; i++) {
      if (!before[i]![k]) continue
      for (let j = 0; j < messages.length; j++) if (before[k]![j]) before[i]![j] = true
    }
  }
  const execution = { messages, before, index }
  executions.set(s, execution)
  return execution
}

/** Every node delivers a message only after every message that happened before it. */
export const causalDelivery = always<CausalSystemState>("CausalDelivery", (s) => {
  const { messages, before, index } = executionOf(s)
  return nodesOf(s).every((node) => {
    const delivered = new Set<number>()
    for (const m of node.log) {
      const j = index.get(idOf(m))!
      for (let i = 0; i < messages.length; i++) if (before[i]![j] && !delivered.has(i)) return false
      delivered.add(j)
    }
    return true
  })
})

/** Two messages' clocks compare as before, after or concurrent exactly as the execution ordered them. */
export const clocksMatchHappensBefore = always<CausalSystemState>("ClocksMatchHappensBefore", (s) => {
  const { messages, before } = executionOf(s)
  for (let i = 0; i < messages.length; i++) {
    for (let j = 0; j < messages.length; j++) {
      if (i === j) continue
      const expected = before[i]![j] ? "before" : before[j]![i] ? "after" : "concurrent"
      if (compare(messages[i]!.clock, messages[j]!.clock) !== expected) return false
    }
  }
  return true
})

/** A message arrived before a message it depends on and had to wait. */
export const messageWaited = sometimes<CausalSystemState>("MessageWaited", (s) => nodesOf(s).some((node) => node.pending.length > 0))

/** A message depends on one from another node: causality crossed nodes. */
export const causalChain = sometimes<CausalSystemState>("CausalChain", (s) => {
  const { messages, before } = executionOf(s)
  return messages.some((a, i) => messages.some((b, j) => before[i]![j] && a.origin !== b.origin))
})

export const concurrentBroadcasts = sometimes<CausalSystemState>("ConcurrentBroadcasts", (s) => {
  const { messages, before } = executionOf(s)
  return messages.some((_, i) => messages.some((__, j) => i !== j && !before[i]![j] && !before[j]![i]))
})

export const everyoneDeliveredEverything = sometimes<CausalSystemState>("EveryoneDeliveredEverything", (s) => {
  const { messages } = executionOf(s)
  return messages.length >= 2 && nodesOf(s).every((node) => node.log.length === messages.length)
})

export const causalProperties: ReadonlyArray<Property<CausalSystemState>> = [
  causalDelivery,
  clocksMatchHappensBefore,
  messageWaited,
  causalChain,
  concurrentBroadcasts,
  everyoneDeliveredEverything
]
