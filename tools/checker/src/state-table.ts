/**
 * The checker's memory of what it has seen: each distinct state as its 64-bit
 * fingerprint (two 32-bit lanes), the state it was first reached from and the
 * index of the action that reached it. States themselves are not kept; a
 * counterexample is rebuilt by replaying the actions along the parent links.
 *
 * Sixteen bytes a state in parallel typed arrays, plus an open-addressing
 * index of `Int32Array` slots kept at most half full, so a million states
 * cost about 24 MB and no object per state.
 */
const EMPTY = 0
const NO_PARENT = -1
const INITIAL_CAPACITY = 1 << 12

export class StateTable {
  private laneA = new Uint32Array(INITIAL_CAPACITY)
  private laneB = new Uint32Array(INITIAL_CAPACITY)
  private parents = new Int32Array(INITIAL_CAPACITY)
  private actions = new Uint32Array(INITIAL_CAPACITY)
  /** Slot → state id + 1, so that zero marks an empty slot. */
  private slots = new Int32Array(INITIAL_CAPACITY * 2)
  private mask = INITIAL_CAPACITY * 2 - 1
  size = 0

  /**
   * Stores the fingerprint `(a, b)` unless it is already present. Returns the
   * new state's id, or, when it was seen before, the bitwise complement
   * (`~id`, always negative) of the id it has. A root (an initial state) has
   * no parent and records its index in `model.init()` as its action.
   */
  insert(a: number, b: number, parent: number, action: number): number {
    let slot = this.slotOf(a, b)
    for (let probe = this.slots[slot]!; probe !== EMPTY; probe = this.slots[slot]!) {
      const id = probe - 1
      if (this.laneA[id] === a && this.laneB[id] === b) return ~id
      slot = (slot + 1) & this.mask
    }
    const id = this.size
    if (id === this.laneA.length) {
      this.growStates()
      return this.insertNew(a, b, parent, action)
    }
    this.slots[slot] = id + 1
    this.record(id, a, b, parent, action)
    return id
  }

  /** Records a shorter way to reach a state already stored. */
  reparent(id: number, parent: number, action: number): void {
    this.parents[id] = parent
    this.actions[id] = action
  }

  parentOf(id: number): number {
    return this.parents[id]!
  }

  actionOf(id: number): number {
    return this.actions[id]!
  }

  isRoot(id: number): boolean {
    return this.parents[id] === NO_PARENT
  }

  /** The action indices from a root to `id`, and the root's index among the initial states. */
  pathTo(id: number): { readonly initIndex: number; readonly actionIndices: ReadonlyArray<number> } {
    const actionIndices: Array<number> = []
    let current = id
    while (!this.isRoot(current)) {
      actionIndices.push(this.actionOf(current))
      current = this.parentOf(current)
    }
    actionIndices.reverse()
    return { initIndex: this.actionOf(current), actionIndices }
  }

  /** Bytes held by the typed arrays, for the benchmark's memory figures. */
  get bytes(): number {
    return this.laneA.byteLength * 4 + this.slots.byteLength
  }

  private slotOf(a: number, b: number): number {
    // Both lanes are already well mixed; folding them keeps slots spread even if one lane collides.
    return (a ^ Math.imul(b, 0x9e3779b1)) & this.mask
  }

  private record(id: number, a: number, b: number, parent: number, action: number): void {
    this.laneA[id] = a
    this.laneB[id] = b
    this.parents[id] = parent
    this.actions[id] = action
    this.size = id + 1
  }

  /** Inserts a fingerprint known to be absent (after growing, its slot may have moved). */
  private insertNew(a: number, b: number, parent: number, action: number): number {
    let slot = this.slotOf(a, b)
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask
    const id = this.size
    this.slots[slot] = id + 1
    this.record(id, a, b, parent, action)
    return id
  }

  private growStates(): void {
    const capacity = this.laneA.length * 2
    this.laneA = grown(this.laneA, new Uint32Array(capacity))
    this.laneB = grown(this.laneB, new Uint32Array(capacity))
    this.parents = grown(this.parents, new Int32Array(capacity))
    this.actions = grown(this.actions, new Uint32Array(capacity))
    this.slots = new Int32Array(capacity * 2)
    this.mask = capacity * 2 - 1
    for (let id = 0; id < this.size; id++) {
      let slot = this.slotOf(this.laneA[id]!, this.laneB[id]!)
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask
      this.slots[slot] = id + 1
    }
  }
}

const grown = <T extends Uint32Array | Int32Array>(from: T, to: T): T => {
  to.set(from)
  return to
}
