/**
 * One Bully node. It elects itself when no node that outranks it answers;
 * a node that hears an Election from below answers it and holds an election
 * of its own; the winner announces itself with Coordinator. A Coordinator
 * from a lower node is "bullied": the receiver holds an election it will win.
 */
import { cancelTimer, send, setTimer, step } from "@parley/core"
import type { Actor, NodeId, Output, Step } from "@parley/core"
import type { BullyDurable, BullyMessage, BullyTimer } from "./messages.ts"

/** Flags a variant switches on; all off is Bully as published. */
export interface BullyBugs {
  /** An Answer does not stop the answer-timeout, so a node that was answered may still elect itself. */
  readonly ignoreAnswer: boolean
  /** A restarted node rejoins as a follower of nobody, holding no election. */
  readonly silentRestart: boolean
}

export const bullyAsPublished: BullyBugs = { ignoreAnswer: false, silentRestart: false }

/** What a running cluster needs beyond the published algorithm; all off is the model's default. */
export interface BullyConfig {
  /**
   * The leader sends Heartbeat to every lower node on its `heartbeat` timer;
   * one from the leader a node follows re-arms its `leader-timeout`, so a
   * follower suspects its leader only when they stop (a failure detector
   * made of messages), and one from a node above that leader makes the node
   * follow it (how a node that missed a Coordinator learns the leader).
   * Off, `leader-timeout` is the detector itself.
   */
  readonly heartbeats: boolean
}

export const publishedConfig: BullyConfig = { heartbeats: false }

export type BullyPhase = "booting" | "electing" | "waiting" | "follower" | "leader"

export interface BullyState {
  readonly self: NodeId
  readonly phase: BullyPhase
  /** Whom it follows (itself, leading); null before it has heard. */
  readonly leader: NodeId | null
  /** The leader its failure detector suspected, until the election that followed ends. */
  readonly suspected: NodeId | null
}

type BullyStep = Step<BullyState, BullyMessage, BullyTimer, never>
type Out = Output<BullyMessage, BullyTimer, never>

export type BullyActor = Actor<BullyState, BullyMessage, BullyTimer, never, never, BullyDurable>

export const bullyNode = (bugs: BullyBugs, nodes: ReadonlyArray<NodeId>, config: BullyConfig = publishedConfig) => {
  const rank = (id: NodeId): number => nodes.indexOf(id)
  const above = (self: NodeId) => nodes.filter((n) => rank(n) > rank(self))
  const below = (self: NodeId) => nodes.filter((n) => rank(n) < rank(self))
  const electionTimers: ReadonlyArray<Out> = [
    cancelTimer("answer-timeout"),
    cancelTimer("coordinator-timeout"),
    cancelTimer("leader-timeout"),
    ...(config.heartbeats ? [cancelTimer<BullyTimer>("heartbeat")] : [])
  ]

  const lead = (s: BullyState): BullyStep =>
    step({ ...s, phase: "leader", leader: s.self, suspected: null }, [
      ...electionTimers,
      ...below(s.self).map((n) => send<BullyMessage>(n, { _tag: "Coordinator" })),
      ...(config.heartbeats ? [setTimer<BullyTimer>("heartbeat")] : [])
    ])

  const elect = (s: BullyState): BullyStep => {
    const higher = above(s.self)
    if (higher.length === 0) return lead(s)
    return step({ ...s, phase: "electing" }, [
      ...electionTimers,
      ...higher.map((n) => send<BullyMessage>(n, { _tag: "Election" })),
      setTimer("answer-timeout")
    ])
  }

  const follow = (s: BullyState, leader: NodeId): BullyStep =>
    step({ ...s, phase: "follower", leader, suspected: null }, [...electionTimers, setTimer("leader-timeout")])

  const onMessage = (s: BullyState, from: NodeId, m: BullyMessage): BullyStep => {
    switch (m._tag) {
      case "Election": {
        if (rank(from) > rank(s.self)) return step(s)
        const answer = send<BullyMessage>(from, { _tag: "Answer" })
        if (s.phase === "electing" || s.phase === "waiting") return step(s, [answer])
        const started = elect(s)
        return step(started.state, [answer, ...started.out])
      }
      case "Answer":
        if (s.phase !== "electing") return step(s)
        return step(
          { ...s, phase: "waiting" },
          bugs.ignoreAnswer ? [setTimer("coordinator-timeout")] : [cancelTimer("answer-timeout"), setTimer("coordinator-timeout")]
        )
      case "Coordinator":
        // A lower node claims to lead: bully it with an election this node wins.
        return rank(from) < rank(s.self) ? elect(s) : follow(s, from)
      case "Heartbeat":
        // Only the leader it follows, or one above it, moves a node: a late Heartbeat of a node that stepped down does not.
        return s.leader === null || rank(from) >= rank(s.leader) ? follow(s, from) : step(s)
    }
  }

  const onTimer = (s: BullyState, timer: BullyTimer): BullyStep => {
    switch (timer) {
      case "answer-timeout":
        return s.phase === "electing" || (bugs.ignoreAnswer && s.phase === "waiting") ? lead(s) : step(s)
      case "coordinator-timeout":
        return s.phase === "waiting" ? elect(s) : step(s)
      case "leader-timeout":
        return s.phase === "follower" && s.leader !== null ? elect({ ...s, suspected: s.leader }) : step(s)
      case "boot":
        return s.phase === "booting" ? elect(s) : step(s)
      case "heartbeat":
        return s.phase === "leader" ? step(s, [...below(s.self).map((n) => send<BullyMessage>(n, { _tag: "Heartbeat" })), setTimer("heartbeat")]) : step(s)
    }
  }

  const actor: BullyActor = {
    init: (ctx) => elect({ self: ctx.self, phase: "booting", leader: null, suspected: null }),
    onMessage,
    onTimer,
    onRequest: (s) => step(s),
    durable: () => null,
    recover: (ctx) =>
      bugs.silentRestart
        ? step({ self: ctx.self, phase: "follower", leader: null, suspected: null })
        : step({ self: ctx.self, phase: "booting", leader: null, suspected: null }, [setTimer("boot")])
  }
  return actor
}
