/**
 * Single-server membership changes (Raft thesis §4.1): a leader appends a
 * configuration that adds or removes one node, which takes effect as soon
 * as it is appended (membership.ts). One change at a time: none while the
 * latest configuration is uncommitted. And the rule that fixes the known
 * bug of single-server changes (Ongaro, raft-dev, July 2015): a leader
 * starts a change only once it has committed an entry of its own term, so
 * no configuration a previous leader appended but never committed can be
 * the base of a second, diverging change whose quorums do not overlap it.
 */
import { setTimer } from "@parley/core"
import type { NodeId } from "@parley/core"
import { appendToLog } from "./log.ts"
import { freshProgress, latestConfiguration } from "./membership.ts"
import { appendNewEntry, commitAndApply } from "./replication.ts"
import { transferTarget } from "./transfer.ts"
import { termAt } from "./state.ts"
import type { Outbox, RaftConfig, RaftState } from "./state.ts"

export interface MembershipChange {
  readonly _tag: "AddNode" | "RemoveNode"
  readonly node: NodeId
}

/** Whether a leader may start `change` now, later (once its term has a committed entry and no change is pending), or never (it is done, or this node does not lead). */
export type ChangeVerdict =
  | { readonly _tag: "Now" }
  | { readonly _tag: "Later"; readonly reason: string }
  | { readonly _tag: "Never"; readonly reason: string }

export const changeVerdict = (config: RaftConfig, s: RaftState, change: MembershipChange): ChangeVerdict => {
  if (config.membership === undefined) return { _tag: "Never", reason: "membership changes are off" }
  if (s.role !== "leader") return { _tag: "Never", reason: "not the leader" }
  const latest = latestConfiguration(config, s)
  const member = latest.members.includes(change.node)
  if (change._tag === "AddNode" && member) return { _tag: "Never", reason: `${change.node} is a member already` }
  if (change._tag === "RemoveNode" && !member) return { _tag: "Never", reason: `${change.node} is not a member` }
  if (change._tag === "RemoveNode" && latest.members.length === 1) return { _tag: "Never", reason: "the last member stays" }
  if (latest.index > s.commitIndex) return { _tag: "Later", reason: "a membership change is in progress" }
  if (transferTarget(s) !== undefined) return { _tag: "Later", reason: "leadership is being transferred" }
  if (!config.bugs.changeBeforeCommit && termAt(s, s.commitIndex) !== s.term) {
    return { _tag: "Later", reason: "the leader has not committed an entry of its term yet" }
  }
  return { _tag: "Now" }
}

/** The leader appends the configuration with `change` made and sends it on; a node it adds starts being replicated to. */
export const startChange = (config: RaftConfig, s: RaftState, change: MembershipChange, out: Outbox): RaftState => {
  const current = latestConfiguration(config, s).members
  const members = change._tag === "AddNode" ? [...current, change.node].sort() : current.filter((node) => node !== change.node)
  const progress = change._tag === "AddNode" ? { ...s.progress, [change.node]: freshProgress(s) } : s.progress
  const leader: RaftState = { ...s, progress, log: appendToLog(s.log, [{ term: s.term, command: null, members }]) }
  return commitAndApply(config, appendNewEntry(config, leader, out), out)
}

/**
 * The model's environment asks the leader for a planned change (the
 * `add-member` or `remove-member` timer a new leader arms). Asked too soon,
 * the leader keeps the request and is asked again; a change that is done
 * or a node that no longer leads lets it go.
 */
export const onChangeTimer = (config: RaftConfig, s: RaftState, timer: "add-member" | "remove-member", out: Outbox): RaftState => {
  const node = timer === "add-member" ? config.membership?.add : config.membership?.remove
  if (node === undefined) return s
  const change: MembershipChange = { _tag: timer === "add-member" ? "AddNode" : "RemoveNode", node }
  const verdict = changeVerdict(config, s, change)
  if (verdict._tag === "Never") return s
  if (verdict._tag === "Later") {
    out.push(setTimer(timer))
    return s
  }
  return startChange(config, s, change, out)
}
