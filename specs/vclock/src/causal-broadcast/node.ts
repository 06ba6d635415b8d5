/**
 * Causal broadcast (Birman, Schiper and Stephenson): a node delivers a
 * message only once it has delivered everything the message's sender had
 * delivered before sending it. Each node keeps a vector of how many
 * messages of each origin it has delivered; a message from `j` stamped `V`
 * is ready when `V[j]` is the next of `j`'s and `V[k]` is at most what it
 * delivered of every other `k`. A message that arrives early waits in
 * `pending`.
 */
import { send, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Step } from "@parley/core"
import { counter, increment } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { Broadcast, CausalDurable, CausalMessage, CausalTimer } from "./messages.ts"

/** Known bugs a variant switches on. */
export interface CausalBugs {
  /** Deliver a message once it is the next from its origin, ignoring what else its sender had delivered: FIFO, not causal. */
  readonly fifoOnly: boolean
  /** Stamp a message with the sender's own counter alone, not the vector of what it delivered. */
  readonly ownCounterOnly: boolean
}

export const causalBroadcast: CausalBugs = { fifoOnly: false, ownCounterOnly: false }

export interface CausalState {
  readonly self: NodeId
  readonly peers: ReadonlyArray<NodeId>
  /** How many messages of each origin this node delivered, its own included. */
  readonly delivered: VClock
  /** Messages received but not yet deliverable, in a canonical order. */
  readonly pending: ReadonlyArray<Broadcast>
  /** Every message delivered, in delivery order: what the application saw. */
  readonly log: ReadonlyArray<Broadcast>
}

type CausalStep = Step<CausalState, CausalMessage, CausalTimer, never>

export const ready = (bugs: CausalBugs, delivered: VClock, m: Broadcast): boolean => {
  if (counter(m.clock, m.origin) !== counter(delivered, m.origin) + 1) return false
  if (bugs.fifoOnly) return true
  return Object.keys(m.clock).every((node) => node === m.origin || counter(m.clock, node) <= counter(delivered, node))
}

const byOriginThenSeq = (a: Broadcast, b: Broadcast): number => (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : a.seq - b.seq)

/** Delivers every pending message that is ready, repeatedly: one delivery can make another ready. */
const deliverReady = (bugs: CausalBugs, s: CausalState): CausalState => {
  let state = s
  for (;;) {
    const next = state.pending.find((m) => ready(bugs, state.delivered, m))
    if (next === undefined) return state
    state = {
      ...state,
      delivered: increment(state.delivered, next.origin),
      pending: state.pending.filter((m) => m !== next),
      log: [...state.log, next]
    }
  }
}

export const causalActor = (bugs: CausalBugs): Actor<CausalState, CausalMessage, CausalTimer, never, never, CausalDurable> => {
  const init = (self: NodeId, nodes: ReadonlyArray<NodeId>): CausalStep =>
    step({ self, peers: nodes.filter((n) => n !== self), delivered: {}, pending: [], log: [] }, [setTimer("broadcast")])
  return {
    init: (ctx) => init(ctx.self, ctx.nodes),
    // Broadcast: stamp, deliver to itself at once, send to every peer; the timer stays set for the next one.
    onTimer: (s) => {
      const delivered = increment(s.delivered, s.self)
      const clock = bugs.ownCounterOnly ? { [s.self]: counter(delivered, s.self) } : delivered
      const m: Broadcast = { _tag: "Broadcast", origin: s.self, seq: counter(delivered, s.self), clock }
      return step({ ...s, delivered, log: [...s.log, m] }, [...s.peers.map((peer) => send(peer, m)), setTimer("broadcast")])
    },
    onMessage: (s, _from, m) => step(deliverReady(bugs, { ...s, pending: [...s.pending, m].sort(byOriginThenSeq) })),
    onRequest: (s) => step(s),
    durable: () => null,
    recover: (ctx) => init(ctx.self, ctx.nodes)
  }
}
