/**
 * One node of Chang and Roberts's election on a unidirectional ring, with
 * ring repair. A node forwards a candidate higher than itself, replaces a
 * lower one by itself unless it already takes part (then the lower one is
 * swallowed), and wins when its own id comes back. When its failure
 * detector finds the successor crashed, the node skips it and resends the
 * last message it passed on, which may have been lost with the crashed
 * node; if the crashed node was the leader or the candidate in that
 * message, it starts a new election in the next epoch instead. An Election
 * of an epoch whose leader the node knows is stale, and dropped.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Output, Step } from "@parley/core"
import type { Epoch, RingDurable, RingMessage, RingTimer } from "./messages.ts"

/** Flags a variant switches on; all off is the algorithm as published, with repair. */
export interface RingBugs {
  /** A node already taking part forwards a lower candidate instead of swallowing it. */
  readonly forwardSmaller: boolean
  /** A node that finds the leader crashed elects again in the same epoch. */
  readonly sameEpoch: boolean
}

export const ringAsPublished: RingBugs = { forwardSmaller: false, sameEpoch: false }

/** What a running cluster needs beyond the published algorithm; all off is the model's default. */
export interface RingConfig {
  /**
   * The failure detector is made of messages: on its `probe` timer a node
   * Pings its successor, and `check-successor` skips the successor only if
   * that Ping is still unanswered and it has answered one before (a node
   * never heard from may be a process still starting). Off,
   * `check-successor` is the detector.
   * The probe also passes the last message on again, for a network that
   * loses them.
   */
  readonly probes: boolean
}

export const publishedRing: RingConfig = { probes: false }

export interface RingState {
  readonly self: NodeId
  readonly epoch: Epoch
  readonly participant: boolean
  readonly leader: NodeId | null
  /** Successors found crashed, skipped from now on. */
  readonly skipped: ReadonlyArray<NodeId>
  /** The last message passed to the successor, resent if the successor turns out crashed. */
  readonly last: Exclude<RingMessage, { readonly _tag: "Ping" | "Pong" }> | null
  /** With probes: the successor Pinged and yet to answer. */
  readonly probing: NodeId | null
  /**
   * With probes: the nodes that have answered a Ping. Only one of them is
   * skipped: a node that never answered may be a process still starting.
   */
  readonly answered: ReadonlyArray<NodeId>
}

type RingElection = NonNullable<RingState["last"]>

type RingStep = Step<RingState, RingMessage, RingTimer, never>
type Out = Output<RingMessage, RingTimer, never>

export type RingActor = Actor<RingState, RingMessage, RingTimer, never, never, RingDurable>

export const ringNode = (bugs: RingBugs, ring: ReadonlyArray<NodeId>, config: RingConfig = publishedRing) => {
  const rank = (id: NodeId): number => ring.indexOf(id)

  /** The next node round the ring that is not skipped; the node itself when every other is. */
  const successor = (s: RingState): NodeId => {
    const at = rank(s.self)
    for (let k = 1; k < ring.length; k++) {
      const next = ring[(at + k) % ring.length]!
      if (!s.skipped.includes(next)) return next
    }
    return s.self
  }

  const pass = (s: RingState, m: RingElection): RingStep => {
    const next = { ...s, last: m }
    const to = successor(next)
    return step(next, to === s.self ? [] : [send<RingMessage>(to, m)])
  }

  const win = (s: RingState): RingStep => pass({ ...s, leader: s.self, participant: false }, { _tag: "Elected", epoch: s.epoch, leader: s.self })

  const stand = (s: RingState, epoch: Epoch): RingStep => {
    const standing = { ...s, epoch, participant: true, leader: null }
    return successor(standing) === s.self ? win(standing) : pass(standing, { _tag: "Election", epoch, candidate: s.self })
  }

  const onElection = (s: RingState, epoch: Epoch, candidate: NodeId): RingStep => {
    // Stale: an older epoch, an epoch whose leader is known, or a candidate known to have crashed. A repaired
    // ring has a new link beside the crashed node's, so FIFO alone does not keep these from arriving late.
    if (epoch < s.epoch || (epoch === s.epoch && s.leader !== null) || s.skipped.includes(candidate)) return step(s)
    const current = epoch > s.epoch ? { ...s, epoch, participant: false, leader: null } : s
    if (candidate === s.self) return win(current)
    if (rank(candidate) > rank(s.self)) return pass({ ...current, participant: true }, { _tag: "Election", epoch, candidate })
    if (!current.participant) return stand(current, epoch)
    return bugs.forwardSmaller ? pass(current, { _tag: "Election", epoch, candidate }) : step(current)
  }

  const onElected = (s: RingState, epoch: Epoch, leader: NodeId): RingStep => {
    if (epoch < s.epoch || leader === s.self) return step(s)
    // With probes, messages are passed on again: a copy of what the node knows goes no further.
    if (config.probes && epoch === s.epoch && leader === s.leader && !s.participant) return step(s)
    return pass({ ...s, epoch, leader, participant: false }, { _tag: "Elected", epoch, leader })
  }

  const named = (m: RingElection | null): NodeId | null => (m === null ? null : m._tag === "Election" ? m.candidate : m.leader)

  /**
   * A Ping to the successor, with the last message passed on again: a
   * running cluster's links lose messages (a partition, a link not up yet),
   * and a lost Election or Elected would leave the ring waiting for ever. A
   * node drops a copy of what it already knows.
   */
  const probe = (s: RingState): RingStep => {
    const next = successor(s)
    const rearm = setTimer<RingTimer>("probe")
    if (next === s.self) return step(s, [rearm])
    const again: ReadonlyArray<Out> = [send<RingMessage>(next, { _tag: "Ping" }), ...(s.last === null ? [] : [send<RingMessage>(next, s.last)])]
    if (s.probing !== null) return step(s, [...again, rearm])
    return step({ ...s, probing: next }, [...again, setTimer("check-successor"), rearm])
  }

  const onPong = (s: RingState, from: NodeId): RingStep => {
    const answered = s.answered.includes(from) ? s.answered : [...s.answered, from].sort()
    return s.probing === from ? step({ ...s, probing: null, answered }, [cancelTimer("check-successor")]) : step({ ...s, answered })
  }

  const repair = (s: RingState): RingStep => {
    const lost = successor(s)
    if (lost === s.self) return step(s)
    // With probes, only a successor that has not answered is skipped; the next probe asks the new one.
    if (config.probes && (s.probing !== lost || !s.answered.includes(lost))) return step(s)
    const repaired = { ...s, skipped: [...s.skipped, lost].sort(), probing: null }
    const rearm: ReadonlyArray<Out> = successor(repaired) === s.self || config.probes ? [] : [setTimer("check-successor")]
    const next = lost === s.leader || lost === named(s.last)
      ? stand(repaired, bugs.sameEpoch ? s.epoch : s.epoch + 1)
      : s.last === null ? step(repaired) : pass(repaired, s.last)
    return step(next.state, [...next.out, ...rearm])
  }

  const fresh = (self: NodeId): RingState => ({ self, epoch: 1, participant: false, leader: null, skipped: [], last: null, probing: null, answered: [] })
  const detector: Out = setTimer(config.probes ? "probe" : "check-successor")

  const onMessage = (s: RingState, from: NodeId, m: RingMessage): RingStep => {
    switch (m._tag) {
      case "Election":
        return onElection(s, m.epoch, m.candidate)
      case "Elected":
        return onElected(s, m.epoch, m.leader)
      case "Ping":
        return step(s, [send(from, { _tag: "Pong" })])
      case "Pong":
        return onPong(s, from)
    }
  }

  const onTimer = (s: RingState, timer: RingTimer): RingStep => {
    switch (timer) {
      case "check-successor":
        return repair(s)
      case "probe":
        return probe(s)
    }
  }

  const actor: RingActor = {
    init: (ctx) => {
      const started = stand(fresh(ctx.self), 1)
      return step(started.state, [...started.out, detector])
    },
    onMessage,
    onTimer,
    onRequest: (s) => step(s),
    durable: () => null,
    // Crash-stop, as checked: the model never restarts a node. A restarted process stays out of the ring its predecessor
    // repaired: it stands for nothing (an old epoch's candidacy could win beside the leader elected without it) and
    // takes part only if a predecessor that never skipped it sends it an election.
    recover: (ctx) => step(fresh(ctx.self), config.probes ? [detector] : [])
  }
  return actor
}
