/** What the validate tests share: Raft's checked system of three nodes, and the validation of its nodes' logs in a directory. */
import { defaultConfig } from "@parley/core"
import type { AnySystemSpec, NodeId } from "@parley/core"
import { raftHosted, raftSpec } from "@parley/raft"
import { clientHistoryCheck, kvClientModel, validateLogs } from "../src/index.ts"

export const raftSystem = (): AnySystemSpec => {
  const built = raftSpec.build({ ...defaultConfig(raftSpec), nodes: 3 })
  if (built._tag !== "System") throw new Error("raft builds a system")
  return built.system
}

/** `parley validate` of three Raft nodes' logs in `dir`, as the CLI runs it for a cluster of `raft`. */
export const validateRaftLogs = (dir: string, nodes: ReadonlyArray<NodeId>) =>
  validateLogs({
    dir,
    nodes,
    hosted: raftHosted,
    system: raftSystem(),
    clients: clientHistoryCheck(kvClientModel),
    config: { nodes: 3 },
    traceSteps: 20,
    budget: { maxMilliseconds: 30_000 }
  })
