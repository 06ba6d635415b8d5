import type { SpecDefinition } from "@parley/core"
import { bullySpec, ringSpec, zkElectionSpec } from "@parley/election"
import { lockSpec, zkLockSpec } from "@parley/lock"
import { multiPaxosSpec, paxosSpec } from "@parley/paxos"
import { raftSpec } from "@parley/raft"
import { choreographySpec, sagaSpec } from "@parley/saga"
import { twoPhaseCommitSpec, twoPhaseSpec } from "@parley/twophase"
import { causalBroadcastSpec, dynamoRegisterSpec } from "@parley/vclock"

/** Every spec `parley` knows, in the order `parley list` shows them. */
export const registry: ReadonlyArray<SpecDefinition> = [
  twoPhaseSpec,
  twoPhaseCommitSpec,
  raftSpec,
  paxosSpec,
  multiPaxosSpec,
  lockSpec,
  zkLockSpec,
  causalBroadcastSpec,
  dynamoRegisterSpec,
  bullySpec,
  ringSpec,
  zkElectionSpec,
  sagaSpec,
  choreographySpec
]
