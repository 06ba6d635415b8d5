/**
 * An in-memory Raft cluster driven one event at a time, for scenario tests
 * and random schedules: the reducer of node.ts hosted the way the runtime
 * hosts it, with the network and the clock in the test's hands. Links are
 * FIFO mailboxes per (sender, receiver); a timer fires only when a test fires
 * it; a partition drops what would cross it. Every operation returns the
 * lines that describe what happened, in the format of the scenario files.
 */
import { formatRaftMessage, formatRaftResponse } from "../../../src/raft/format.ts"
import { raftActor } from "../../../src/raft/node.ts"
import type { RaftActor } from "../../../src/raft/node.ts"
import { noBugs } from "../../../src/raft/state.ts"
import type { RaftDurable, RaftMessage, RaftRequest, RaftResponse, RaftTimer } from "../../../src/raft/messages.ts"
import type { RaftBugs, RaftConfig, RaftState } from "../../../src/raft/state.ts"
import type { ClientId, NodeContext, NodeId, Step } from "@parley/core"
import { downStatus, liveStatus, stateChanges } from "./describe.ts"

export type NodeSlot =
  | { readonly up: true; readonly state: RaftState; readonly timers: ReadonlySet<RaftTimer> }
  /** `last` is the state the node crashed in, kept only to show what a restart lost. */
  | { readonly up: false; readonly durable: RaftDurable; readonly last: RaftState }

export interface ClusterOptions {
  readonly size: number
  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly maxEntriesPerAppend: number
  /** A snapshot every this many applied entries (0: never), and at most this many bytes of it per InstallSnapshot (absent: all of it). */
  readonly snapshotEvery: number
  readonly snapshotChunkBytes?: number
  /** Membership changes on (thesis §4.1): a spare node `add` past the first `size`, and a node the environment may ask to `remove`. */
  readonly membership?: { readonly add?: NodeId; readonly remove?: NodeId }
  /** The environment may ask a leader to hand leadership to the next member. */
  readonly leadershipTransfer?: boolean
  /** Lease reads (needs checkQuorum). */
  readonly leaseReads?: boolean
  /** A new entry at once to a follower whose entry before it is unanswered (replication.ts `appendNewEntry`). */
  readonly pipelinedAppends?: boolean
  readonly bugs: RaftBugs
}

export const defaultOptions: ClusterOptions = { size: 3, preVote: false, checkQuorum: false, maxEntriesPerAppend: 10, snapshotEvery: 0, bugs: noBugs }

export interface ReplyRecord {
  readonly node: NodeId
  readonly client: ClientId
  readonly response: RaftResponse
}

type RaftStep = Step<RaftState, RaftMessage, RaftTimer, RaftResponse>

export const linkName = (from: NodeId, to: NodeId): string => `${from}->${to}`

export class Cluster {
  readonly ids: ReadonlyArray<NodeId>
  readonly config: RaftConfig
  private readonly actor: RaftActor
  private readonly slots = new Map<NodeId, NodeSlot>()
  private readonly mailboxes = new Map<string, Array<RaftMessage>>()
  /** Each node's side of the partition; all on side 0 when healed. */
  private readonly sides = new Map<NodeId, number>()
  readonly replies: Array<ReplyRecord> = []
  crashes = 0

  private constructor(options: ClusterOptions) {
    const members = Array.from({ length: options.size }, (_, i) => `n${i + 1}`)
    const spare = options.membership?.add
    this.ids = spare === undefined ? members : [...members, spare]
    this.config = {
      nodes: members,
      ...(options.membership === undefined ? {} : { membership: options.membership }),
      ...(options.leadershipTransfer === true ? { leadershipTransfer: true } : {}),
      preVote: options.preVote,
      checkQuorum: options.checkQuorum,
      maxEntriesPerAppend: options.maxEntriesPerAppend,
      snapshotEvery: options.snapshotEvery,
      ...(options.snapshotChunkBytes === undefined ? {} : { snapshotChunkBytes: options.snapshotChunkBytes }),
      ...(options.leaseReads === true ? { leaseReads: true } : {}),
      ...(options.pipelinedAppends === true ? { pipelinedAppends: true } : {}),
      bugs: options.bugs
    }
    this.actor = raftActor(this.config)
    for (const from of this.ids) {
      this.sides.set(from, 0)
      for (const to of this.ids) if (from !== to) this.mailboxes.set(linkName(from, to), [])
    }
  }

  /** A cluster whose nodes have run `init`, with the lines their first steps produced. */
  static start(options: ClusterOptions): { readonly cluster: Cluster; readonly lines: ReadonlyArray<string> } {
    const cluster = new Cluster(options)
    const lines: Array<string> = []
    for (const id of cluster.ids) lines.push(...cluster.perform(id, undefined, new Set(), cluster.actor.init(cluster.context(id))))
    return { cluster, lines }
  }

  slot(node: NodeId): NodeSlot {
    const slot = this.slots.get(node)
    if (slot === undefined) throw new Error(`no node ${node}; the nodes are ${this.ids.join(", ")}`)
    return slot
  }

  /** The messages waiting on a link, oldest first. */
  mailbox(from: NodeId, to: NodeId): ReadonlyArray<RaftMessage> {
    return this.queue(from, to)
  }

  /** Links with a message waiting, in a stable order (by sender, then receiver). */
  busyLinks(): ReadonlyArray<readonly [NodeId, NodeId]> {
    const links: Array<readonly [NodeId, NodeId]> = []
    for (const from of this.ids) for (const to of this.ids) if (from !== to && this.mailbox(from, to).length > 0) links.push([from, to])
    return links
  }

  fireTimer(node: NodeId, timer: RaftTimer): ReadonlyArray<string> {
    const slot = this.slot(node)
    if (!slot.up) return [`${node} is down`]
    if (!slot.timers.has(timer)) return [`${node}: no ${timer} timer pending`]
    const timers = new Set(slot.timers)
    timers.delete(timer)
    return this.perform(node, slot.state, timers, this.actor.onTimer(slot.state, timer), slot.timers)
  }

  /** Delivers the message at `position` (0: the oldest) on the link; a down receiver loses it. */
  deliver(from: NodeId, to: NodeId, position = 0): ReadonlyArray<string> {
    const message = this.take(from, to, position)
    if (message === undefined) return [`no message on ${linkName(from, to)}`]
    const header = `> ${linkName(from, to)} ${formatRaftMessage(message)}`
    const slot = this.slot(to)
    if (!slot.up) return [`${header} (lost: ${to} is down)`]
    return [header, ...this.perform(to, slot.state, slot.timers, this.actor.onMessage(slot.state, from, message))]
  }

  drop(from: NodeId, to: NodeId, position = 0): ReadonlyArray<string> {
    const message = this.take(from, to, position)
    if (message === undefined) return [`no message on ${linkName(from, to)}`]
    return [`dropped ${linkName(from, to)} ${formatRaftMessage(message)}`]
  }

  request(client: ClientId, node: NodeId, request: RaftRequest): ReadonlyArray<string> {
    const slot = this.slot(node)
    if (!slot.up) return [`${node} is down`]
    return this.perform(node, slot.state, slot.timers, this.actor.onRequest(slot.state, client, request))
  }

  /** A crash keeps only what `durable` returns; the node's timers stop and messages to it are lost on arrival. */
  crash(node: NodeId): ReadonlyArray<string> {
    const slot = this.slot(node)
    if (!slot.up) return [`${node} is down`]
    this.slots.set(node, { up: false, durable: this.actor.durable(slot.state), last: slot.state })
    this.crashes++
    return [`${node}: crashed`]
  }

  restart(node: NodeId): ReadonlyArray<string> {
    const slot = this.slot(node)
    if (slot.up) return [`${node} is up`]
    const lines = [`${node}: restarted`]
    lines.push(...this.perform(node, slot.last, new Set(), this.actor.recover(this.context(node), slot.durable)))
    return lines
  }

  /** Cuts the cluster into `groups` (nodes listed nowhere form one more group) and drops what waits across the cuts. */
  partition(groups: ReadonlyArray<ReadonlyArray<NodeId>>): ReadonlyArray<string> {
    for (const id of this.ids) this.sides.set(id, groups.length)
    groups.forEach((group, side) => group.forEach((node) => {
      this.slot(node)
      this.sides.set(node, side)
    }))
    const lines: Array<string> = []
    for (const [from, to] of this.busyLinks()) {
      if (this.connected(from, to)) continue
      for (const message of this.queue(from, to).splice(0)) lines.push(`dropped ${linkName(from, to)} ${formatRaftMessage(message)}`)
    }
    return lines
  }

  heal(): void {
    for (const id of this.ids) this.sides.set(id, 0)
  }

  connected(from: NodeId, to: NodeId): boolean {
    return this.sides.get(from) === this.sides.get(to)
  }

  status(): ReadonlyArray<string> {
    return this.ids.map((id) => {
      const slot = this.slot(id)
      return `${id}: ${slot.up ? liveStatus(slot.state) : downStatus(slot.durable)}`
    })
  }

  private context(self: NodeId): NodeContext {
    return { self, nodes: this.ids }
  }

  private queue(from: NodeId, to: NodeId): Array<RaftMessage> {
    const mailbox = this.mailboxes.get(linkName(from, to))
    if (mailbox === undefined) throw new Error(`no link ${linkName(from, to)}; the nodes are ${this.ids.join(", ")}`)
    return mailbox
  }

  private take(from: NodeId, to: NodeId, position: number): RaftMessage | undefined {
    return this.queue(from, to).splice(position, 1)[0]
  }

  /**
   * Performs one step of `node`: its new state and timers, then its sends and
   * replies, each described. `shownTimers` is what the timers were before the
   * event as a reader sees them: a fired timer the step sets again is a reset,
   * not a change.
   */
  private perform(
    node: NodeId,
    before: RaftState | undefined,
    timers: ReadonlySet<RaftTimer>,
    step: RaftStep,
    shownTimers: ReadonlySet<RaftTimer> = timers
  ): ReadonlyArray<string> {
    const after = new Set(timers)
    for (const output of step.out) {
      if (output._tag === "SetTimer") after.add(output.timer)
      else if (output._tag === "CancelTimer") after.delete(output.timer)
    }
    this.slots.set(node, { up: true, state: step.state, timers: after })
    const lines: Array<string> = []
    const changes = before === undefined ? [] : stateChanges(before, step.state)
    if (changes.length > 0) lines.push(`${node}: ${changes.join(", ")}`)
    const timerChanges = [
      ...[...shownTimers].filter((timer) => !after.has(timer)).map((timer) => `-${timer}`),
      ...[...after].filter((timer) => !shownTimers.has(timer)).map((timer) => `+${timer}`)
    ]
    if (timerChanges.length > 0) lines.push(`${node}: timers ${timerChanges.join(" ")}`)
    for (const output of step.out) {
      if (output._tag === "Send") {
        const line = `${linkName(node, output.to)} ${formatRaftMessage(output.message)}`
        if (this.connected(node, output.to)) {
          this.queue(node, output.to).push(output.message)
          lines.push(line)
        } else {
          lines.push(`${line} (dropped: partitioned)`)
        }
      } else if (output._tag === "Reply") {
        this.replies.push({ node, client: output.client, response: output.response })
        lines.push(`${node}->${output.client} ${formatRaftResponse(output.response)}`)
      }
    }
    return lines
  }
}
