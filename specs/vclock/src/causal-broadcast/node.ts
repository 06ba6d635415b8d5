/**
 * Causal broadcast (Birman, Schiper and Stephenson): a node delivers a
 * message only once it has delivered everything the message's sender had
 * delivered before sending it. Each node keeps a vector of how many
 * messages of each origin it has delivered; a message from `j` stamped `V`
 * is ready when `V[j]` is the next of `j`'s and `V[k]` is at most what it
 * delivered of every other `k`. A message that arrives early waits in
 * `pending`.
 *
 * The algorithm assumes reliable links. With `sync` on, a node makes its
 * own links reliable: every so often it sends each peer its digest (what it
 * delivered of each origin), and a peer sends back the messages of its own
 * that the digest lacks. A node sends again only its own messages, so a
 * delayed link delays exactly what its sender broadcast.
 */
import { reply, send, setTimer, step } from "@parley/core"
import type { Actor, ClientId, NodeId, Output, Step } from "@parley/core"
import { counter, increment } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { Broadcast, CausalDurable, CausalMessage, CausalRequest, CausalResponse, CausalTimer, Digest, Post } from "./messages.ts"

/** Known bugs a variant switches on. */
export interface CausalBugs {
  /** Deliver a message once it is the next from its origin, ignoring what else its sender had delivered: FIFO, not causal. */
  readonly fifoOnly: boolean
  /** Stamp a message with the sender's own counter alone, not the vector of what it delivered. */
  readonly ownCounterOnly: boolean
}

export const causalBroadcast: CausalBugs = { fifoOnly: false, ownCounterOnly: false }

/** What the host or the checker turns on beyond the algorithm's bugs. */
export interface CausalSetup extends CausalBugs {
  /** The `broadcast` timer: the checker's way of making a node broadcast. A hosted node broadcasts on request only. */
  readonly broadcastTimer: boolean
  /** The `sync` timer and the digests that make each link reliable. */
  readonly sync: boolean
}

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

type CausalStep = Step<CausalState, CausalMessage, CausalTimer, CausalResponse>
type CausalOutput = Output<CausalMessage, CausalTimer, CausalResponse>

/** The most messages a node sends again in answer to one digest; the next digest asks for the rest. */
export const maxResent = 64

export const messageId = (m: Broadcast): string => `${m.origin}#${m.seq}`

export const ready = (bugs: CausalBugs, delivered: VClock, m: Broadcast): boolean => {
  if (counter(m.clock, m.origin) !== counter(delivered, m.origin) + 1) return false
  if (bugs.fifoOnly) return true
  return Object.keys(m.clock).every((node) => node === m.origin || counter(m.clock, node) <= counter(delivered, node))
}

/** Whether this node delivered the message `id` names (`n1#3`). */
export const hasDelivered = (s: CausalState, id: string): boolean => {
  const [origin, seq] = id.split("#")
  return origin !== undefined && counter(s.delivered, origin) >= Number(seq)
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

/** A message delivered already or waiting already is dropped: a digest's answer may bring one again. */
const receive = (bugs: CausalBugs, s: CausalState, m: Broadcast): CausalState => {
  if (m.seq <= counter(s.delivered, m.origin) || s.pending.some((p) => p.origin === m.origin && p.seq === m.seq)) return s
  return deliverReady(bugs, { ...s, pending: [...s.pending, m].sort(byOriginThenSeq) })
}

/** Stamps a message, delivers it to this node at once, and sends it to every peer. */
const broadcast = (bugs: CausalBugs, s: CausalState, text: string, inReplyTo: string | null): { state: CausalState; message: Broadcast; out: Array<CausalOutput> } => {
  const delivered = increment(s.delivered, s.self)
  const clock = bugs.ownCounterOnly ? { [s.self]: counter(delivered, s.self) } : delivered
  const message: Broadcast = { _tag: "Broadcast", origin: s.self, seq: counter(delivered, s.self), clock, text, inReplyTo }
  return { state: { ...s, delivered, log: [...s.log, message] }, message, out: s.peers.map((peer) => send(peer, message)) }
}

/** This node's own messages that `digest` lacks, the oldest first, at most `maxResent`. */
const resend = (s: CausalState, from: NodeId, digest: Digest): ReadonlyArray<CausalOutput> => {
  const known = counter(digest.delivered, s.self)
  if (known >= counter(s.delivered, s.self)) return []
  const missing = s.log.filter((m) => m.origin === s.self && m.seq > known).slice(0, maxResent)
  return missing.map((m) => send(from, m))
}

const post = (setup: CausalSetup, s: CausalState, client: ClientId, request: Post): CausalStep => {
  if (request.inReplyTo !== null && !hasDelivered(s, request.inReplyTo)) {
    const reason = `${s.self} has not delivered ${request.inReplyTo}, so a reply posted here could not come after it; ` +
      `post it at a node that has, or once this one has`
    return step(s, [reply(client, { _tag: "NotPosted", seq: request.seq, reason })])
  }
  const sent = broadcast(setup, s, request.text, request.inReplyTo)
  return step(sent.state, [...sent.out, reply(client, { _tag: "Posted", seq: request.seq, message: sent.message })])
}

const onRequest = (setup: CausalSetup, s: CausalState, client: ClientId, request: CausalRequest): CausalStep => {
  if (request._tag === "Post") return post(setup, s, client, request)
  const messages = s.log.slice(request.from, request.from + request.limit)
  return step(s, [reply(client, { _tag: "Listed", seq: request.seq, messages, delivered: s.log.length, pending: s.pending.length })])
}

/** A node's state from what it delivered: how many of each origin, in the order delivered. */
const fromLog = (self: NodeId, peers: ReadonlyArray<NodeId>, log: ReadonlyArray<Broadcast>): CausalState => {
  let delivered: VClock = {}
  for (const m of log) delivered = increment(delivered, m.origin)
  return { self, peers, delivered, pending: [], log }
}

export const causalActor = (setup: CausalSetup): Actor<CausalState, CausalMessage, CausalTimer, CausalRequest, CausalResponse, CausalDurable> => {
  const timers: ReadonlyArray<CausalOutput> = [
    ...(setup.broadcastTimer ? [setTimer<CausalTimer>("broadcast")] : []),
    ...(setup.sync ? [setTimer<CausalTimer>("sync")] : [])
  ]
  const start = (self: NodeId, nodes: ReadonlyArray<NodeId>, log: ReadonlyArray<Broadcast>): CausalStep =>
    step(fromLog(self, nodes.filter((n) => n !== self), log), timers)
  return {
    init: (ctx) => start(ctx.self, ctx.nodes, []),
    // Each timer stays set for the next firing.
    onTimer: (s, timer) => {
      if (timer === "sync") return step(s, [...s.peers.map((peer) => send<CausalMessage>(peer, { _tag: "Digest", delivered: s.delivered })), setTimer("sync")])
      const sent = broadcast(setup, s, "", null)
      return step(sent.state, [...sent.out, setTimer("broadcast")])
    },
    onMessage: (s, from, m) => (m._tag === "Digest" ? step(s, resend(s, from, m)) : step(receive(setup, s, m))),
    onRequest: (s, client, request) => onRequest(setup, s, client, request),
    durable: (s) => ({ log: s.log }),
    recover: (ctx, durable) => start(ctx.self, ctx.nodes, durable.log)
  }
}
