/**
 * The `sometimes` properties of a check with membership changes: that a
 * change commits, and that a node it removes stops (steps down, and
 * campaigns no more). Safety is Raft's own properties, unchanged: the
 * known bug of single-server changes shows as a committed entry a later
 * leader lacks (LeaderCompleteness) or two leaders of one term.
 */
import { sometimes } from "@parley/core"
import type { NodeId, Property } from "@parley/core"
import { configurationAt } from "./membership.ts"
import type { RaftSystemState } from "./properties.ts"
import type { RaftConfig, RaftState } from "./state.ts"

const upStates = (s: RaftSystemState): ReadonlyArray<RaftState> => s.nodes.flatMap((node) => (node.up ? [node.state] : []))

/** The configuration a node has committed: the latest at or below its commit index. */
const committedConfiguration = (config: RaftConfig, s: RaftState) => configurationAt(config, s, s.commitIndex)

/** Some node committed a configuration other than the cluster's first. */
const changeCommitted = (config: RaftConfig) =>
  sometimes<RaftSystemState>("MembershipChangeCommitted", (s) =>
    upStates(s).some((node) => {
      const committed = committedConfiguration(config, node)
      return committed.index > 0 || node.snapshot.members !== undefined
    }))

/** The removed node knows its removal committed and neither leads nor campaigns. */
const removedNodeStopped = (config: RaftConfig, removed: NodeId) =>
  sometimes<RaftSystemState>("RemovedNodeStopped", (s) =>
    upStates(s).some((node) =>
      node.self === removed && node.role === "follower" && !committedConfiguration(config, node).members.includes(removed)
    ))

export const membershipProperties = (config: RaftConfig): ReadonlyArray<Property<RaftSystemState>> => {
  const plan = config.membership
  if (plan === undefined) return []
  return [changeCommitted(config), ...(plan.remove === undefined ? [] : [removedNodeStopped(config, plan.remove)])]
}
