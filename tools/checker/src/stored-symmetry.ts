import { fingerprintRenamedInto, fingerprintWordsInto } from "@parley/core/model"
import type { SystemState } from "@parley/core/model"
import type { Interner } from "./interner.ts"
import { lessThan, nodePermutations } from "./symmetry.ts"
import type { Permutation } from "./symmetry.ts"
import type { SystemStore } from "./system-store.ts"

/**
 * Symmetry reduction over states kept as words (`SystemStore`): the orbit's
 * fingerprint is the least, over the permutations of the interchangeable
 * nodes, of the state's fingerprint made of its parts' renamed
 * fingerprints, each node's placed where the permutation sends it. A part
 * (a node slot, a client slot, the network, the history, the ghost) is
 * shared by many states, so its renamed fingerprint is computed once per
 * permutation and id and then looked up: a state costs a few array reads
 * and one short hash per permutation, where renaming the whole live state
 * (`systemSymmetry`) cost about five times the search without symmetry.
 *
 * The identity permutation reads the parts' own structural fingerprints
 * (but the network's, which the store makes of its envelopes' otherwise).
 * Every fingerprint is structural, so every thread gives an orbit the same one.
 */
export class StoredSymmetry<S, M, T, Req, Res, D, CS, CT> {
  /**
   * Whether the caches stay small enough: they hold 9 bytes per permutation
   * and part id, so 5! = 120 permutations over a million networks is a
   * gigabyte; six nodes (720) rename live states instead.
   */
  static fits(symmetric: ReadonlyArray<string>): boolean {
    return symmetric.length <= 5
  }

  private readonly permutations: ReadonlyArray<Permutation>
  /** Per permutation but the identity, the renamed fingerprints of each part by id. */
  private readonly slots: ReadonlyArray<RenamedLanes>
  private readonly clientSlots: ReadonlyArray<RenamedLanes>
  private readonly networks: ReadonlyArray<RenamedLanes>
  private readonly histories: ReadonlyArray<RenamedLanes>
  private readonly ghosts: ReadonlyArray<RenamedLanes>
  private readonly lanes: Uint32Array
  private readonly candidate = new Uint32Array(2)

  constructor(
    private readonly store: SystemStore<S, M, T, Req, Res, D, CS, CT>,
    nodeIds: ReadonlyArray<string>,
    addresses: ReadonlyArray<string>,
    symmetric: ReadonlyArray<string>
  ) {
    this.permutations = nodePermutations(nodeIds, addresses, symmetric)
    const renamed = () => this.permutations.map(({ names }) => new RenamedLanes(names))
    this.slots = renamed()
    this.clientSlots = renamed()
    this.networks = renamed()
    this.histories = renamed()
    this.ghosts = renamed()
    this.lanes = new Uint32Array(2 * store.width)
  }

  /** Writes the fingerprint of `state`'s orbit to `out`. */
  fingerprint(state: SystemState<S, M, T, Req, Res, D, CS, CT>, out: Uint32Array): void {
    const { store, lanes, candidate } = this
    const words = store.wordsOf(state)
    for (let p = 0; p < this.permutations.length; p++) {
      const { positions } = this.permutations[p]!
      const identity = p === 0
      for (let i = 0; i < store.nodeCount; i++) {
        this.place(positions[i]!, words[i]!, store.slots, this.slots[p]!, identity)
      }
      for (let j = store.nodeCount; j < store.networkAt; j++) this.place(j, words[j]!, store.clientSlots, this.clientSlots[p]!, identity)
      // Even the identity's: the store's own network fingerprint is made otherwise than a renamed one.
      const network = words[store.networkAt]!
      const renamed = this.networks[p]!
      if (!renamed.known(network)) renamed.compute(network, store.network.live(network))
      lanes[2 * store.networkAt] = renamed.a[network]!
      lanes[2 * store.networkAt + 1] = renamed.b[network]!
      lanes[2 * store.crashesAt] = words[store.crashesAt]!
      lanes[2 * store.crashesAt + 1] = 0
      this.place(store.historyAt, words[store.historyAt]!, store.histories, this.histories[p]!, identity)
      if (store.ghostAt >= 0) this.place(store.ghostAt, words[store.ghostAt]!, store.ghosts, this.ghosts[p]!, identity)
      fingerprintWordsInto(lanes, 0, lanes.length, candidate, 0)
      if (identity || lessThan(candidate, out)) {
        out[0] = candidate[0]!
        out[1] = candidate[1]!
      }
    }
  }

  /** Puts the fingerprint of part `id` of `interner`, renamed, at word `at` of the lanes. */
  private place<V>(at: number, id: number, interner: Interner<V>, renamed: RenamedLanes, identity: boolean): void {
    const { lanes } = this
    if (identity) {
      lanes[2 * at] = interner.lanesA[id]!
      lanes[2 * at + 1] = interner.lanesB[id]!
      return
    }
    if (!renamed.known(id)) renamed.compute(id, interner.values[id])
    lanes[2 * at] = renamed.a[id]!
    lanes[2 * at + 1] = renamed.b[id]!
  }
}

/** One permutation's renamed fingerprints of one kind of part, by id, computed when first asked for. */
class RenamedLanes {
  a = new Uint32Array(256)
  b = new Uint32Array(256)
  private computed = new Uint8Array(256)
  private readonly scratch = new Uint32Array(2)

  constructor(private readonly names: ReadonlyMap<string, string>) {}

  known(id: number): boolean {
    return id < this.computed.length && this.computed[id] === 1
  }

  /** Computes and keeps the renamed fingerprint of part `id`, whose value is `value`; returns `id`. */
  compute(id: number, value: unknown): number {
    if (id >= this.computed.length) this.grow(id + 1)
    fingerprintRenamedInto(value, this.names, this.scratch, 0)
    this.a[id] = this.scratch[0]!
    this.b[id] = this.scratch[1]!
    this.computed[id] = 1
    return id
  }

  private grow(needed: number): void {
    const size = Math.max(needed, 2 * this.computed.length)
    const grown = <A extends Uint32Array | Uint8Array>(array: A, make: (n: number) => A): A => {
      const larger = make(size)
      larger.set(array)
      return larger
    }
    this.a = grown(this.a, (n) => new Uint32Array(n))
    this.b = grown(this.b, (n) => new Uint32Array(n))
    this.computed = grown(this.computed, (n) => new Uint8Array(n))
  }
}
