import type { SpecDefinition } from "@parley/core"
import { raftSpec } from "@parley/raft"
import { twoPhaseCommitSpec, twoPhaseSpec } from "@parley/twophase"

/** Every spec `parley` knows, in the order `parley list` shows them. */
export const registry: ReadonlyArray<SpecDefinition> = [twoPhaseSpec, twoPhaseCommitSpec, raftSpec]
