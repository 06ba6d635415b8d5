import type { AnyHostedSpec } from "@parley/core"
import { bullyHosted, ringHosted, zkHosted } from "@parley/election"
import { lockHosted, zkLockHosted } from "@parley/lock"
import { multiPaxosHosted } from "@parley/paxos"
import { raftHosted } from "@parley/raft"
import { choreographyHosted, sagaHosted } from "@parley/saga"
import { twoPcHosted } from "@parley/twophase"
import { causalHosted, dynamoHosted } from "@parley/vclock"

/** The specs `parley node` and `parley cluster` can run as real clusters. */
export const hostedSpecs: ReadonlyArray<AnyHostedSpec> = [
  raftHosted, multiPaxosHosted, twoPcHosted, sagaHosted, choreographyHosted,
  lockHosted, zkLockHosted, bullyHosted, ringHosted, zkHosted, causalHosted, dynamoHosted
]
