/** What the two Paxos specs' options have in common: their faults, and how they number the nodes they ask for. */
import { int, lossyFlag, networkChoice } from "@parley/core"
import type { NodeId } from "@parley/core"

/** The crash budget (spent on `crashable`), the network and its loss, as both specs offer them. */
export const faultOptions = (crashable: string) => ({
  crashes: int(`crash budget: crashes of ${crashable} in one behaviour`, { default: 1, min: 0, max: 3 }),
  network: networkChoice("unordered"),
  lossy: lossyFlag
})

/** `count` ids `prefix1`, `prefix2`, …, in order. */
export const numberedIds = (prefix: string, count: number): ReadonlyArray<NodeId> => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`)
