/**
 * Which participant owns a key: a hash of the key over the participants in
 * their declared order, so every node (and the checker) computes the same
 * owner from the same list without asking anyone.
 */
import type { NodeId } from "@parley/core"
import type { Write } from "./messages.ts"

/** FNV-1a over the key's UTF-16 code units. */
const hashOf = (key: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

export const ownerOf = (participants: ReadonlyArray<NodeId>, key: string): NodeId => participants[hashOf(key) % participants.length]!

/** A transaction's writes by owner, for the participants that own at least one, in declared order. */
export const shardsOf = (
  participants: ReadonlyArray<NodeId>,
  writes: ReadonlyArray<Write>
): ReadonlyArray<{ readonly participant: NodeId; readonly writes: ReadonlyArray<Write> }> =>
  participants.flatMap((participant) => {
    const own = writes.filter((write) => ownerOf(participants, write.key) === participant)
    return own.length === 0 ? [] : [{ participant, writes: own }]
  })

/** The first key of the form `${prefix}${n}` that `participant` owns: keys the checker's clients write, one per shard. */
export const keyOwnedBy = (participants: ReadonlyArray<NodeId>, participant: NodeId, prefix: string): string => {
  for (let n = 1; ; n++) if (ownerOf(participants, `${prefix}${n}`) === participant) return `${prefix}${n}`
}
