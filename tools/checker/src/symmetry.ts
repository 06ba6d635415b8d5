import { fingerprintRenamedInto } from "@parley/core/model"

/** The most interchangeable nodes a system may declare: 6! = 720 permutations a state. */
export const MAX_SYMMETRIC_NODES = 6

/** One renaming of the interchangeable nodes: string by string, and node position by position. */
export interface Permutation {
  readonly names: ReadonlyMap<string, string>
  /** `positions[i]`: where the node at position `i` goes. */
  readonly positions: ReadonlyArray<number>
}

/**
 * Every permutation of the `symmetric` nodes, the identity first, as
 * renamings of strings (node ids, and ordered-network link keys
 * `from->to` with their ends) and of node positions. Throws on a node that
 * is not one of `nodeIds`, a repeat, or more than `MAX_SYMMETRIC_NODES`.
 */
export const nodePermutations = (
  nodeIds: ReadonlyArray<string>,
  addresses: ReadonlyArray<string>,
  symmetric: ReadonlyArray<string>
): ReadonlyArray<Permutation> => {
  for (const id of symmetric) {
    if (!nodeIds.includes(id)) throw new RangeError(`symmetric node "${id}" is not one of the nodes ${nodeIds.join(", ")}`)
  }
  if (new Set(symmetric).size !== symmetric.length) throw new RangeError(`symmetric nodes repeat: ${symmetric.join(", ")}`)
  if (symmetric.length > MAX_SYMMETRIC_NODES) {
    throw new RangeError(`at most ${MAX_SYMMETRIC_NODES} symmetric nodes, got ${symmetric.length}`)
  }
  return permutationsOf(symmetric).map((image): Permutation => {
    const rename = (id: string) => image.get(id) ?? id
    const names = new Map<string, string>()
    for (const [from, to] of image) names.set(from, to)
    for (const from of addresses) {
      for (const to of addresses) {
        if (image.has(from) || image.has(to)) names.set(`${from}->${to}`, `${rename(from)}->${rename(to)}`)
      }
    }
    return { names, positions: nodeIds.map((id) => nodeIds.indexOf(rename(id))) }
  })
}

/**
 * The fingerprint of a system state's orbit under every permutation of the
 * `symmetric` nodes: the least fingerprint of the permuted states, computed
 * without building them (strings are renamed as they are hashed; only the
 * node array is rebuilt). For states of any shape; an actor system whose
 * states are kept as words uses `StoredSymmetry`, which caches each part's
 * renamed fingerprint instead.
 */
export const systemSymmetry = <State extends { readonly nodes: ReadonlyArray<unknown> }>(
  nodeIds: ReadonlyArray<string>,
  addresses: ReadonlyArray<string>,
  symmetric: ReadonlyArray<string>
): ((state: State, out: Uint32Array) => void) => {
  const permutations = nodePermutations(nodeIds, addresses, symmetric)
  const candidate = new Uint32Array(2)
  return (state, out) => {
    let first = true
    for (const { names, positions } of permutations) {
      const nodes = new Array<unknown>(state.nodes.length)
      for (let i = 0; i < positions.length; i++) nodes[positions[i]!] = state.nodes[i]
      fingerprintRenamedInto({ ...state, nodes }, names, candidate, 0)
      if (first || lessThan(candidate, out)) {
        out[0] = candidate[0]!
        out[1] = candidate[1]!
        first = false
      }
    }
  }
}

/** Whether fingerprint `a` is below `b`, as unsigned 64-bit numbers. */
export const lessThan = (a: Uint32Array, b: Uint32Array): boolean => a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!)

/** Every bijection of `items` onto itself, as maps; the identity first. */
const permutationsOf = (items: ReadonlyArray<string>): ReadonlyArray<ReadonlyMap<string, string>> => {
  const result: Array<Map<string, string>> = []
  const arrange = (placed: Array<string>, rest: ReadonlyArray<string>) => {
    if (rest.length === 0) {
      result.push(new Map(items.map((item, i) => [item, placed[i]!])))
      return
    }
    rest.forEach((next, i) => arrange([...placed, next], [...rest.slice(0, i), ...rest.slice(i + 1)]))
  }
  arrange([], items)
  return result
}
