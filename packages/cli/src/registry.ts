import type { SpecDefinition } from "@parley/core"
import { lockSpec, zkLockSpec } from "@parley/lock"
import { paxosSpec } from "@parley/paxos"
import { raftSpec } from "@parley/raft"
import { twoPhaseCommitSpec, twoPhaseSpec } from "@parley/twophase"
import { causalBroadcastSpec } from "@parley/vclock"

/** Every spec `parley` knows, in the order `parley list` shows them. */
export const registry: ReadonlyArray<SpecDefinition> = [
  twoPhaseSpec,
  twoPhaseCommitSpec,
  raftSpec,
  paxosSpec,
  lockSpec,
  zkLockSpec,
  causalBroadcastSpec
]
