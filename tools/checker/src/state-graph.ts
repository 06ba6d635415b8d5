/**
 * The explored state graph, kept only when a model has liveness properties:
 * liveness is a property of cycles, which the fingerprint table alone does
 * not show. Each state's outgoing edges are stored contiguously (its
 * successors are generated together): the target's id (-1 for a successor
 * outside the model's boundary, which still counts as enabled), the action's
 * index in `model.actions(state)`, and the action's fairness class (-1 when
 * it is not fair). Twelve bytes an edge, and per state eight bytes of edge
 * range and four of property bits.
 */
export class StateGraph {
  targets = new Int32Array(1 << 12)
  actions = new Int32Array(1 << 12)
  classes = new Int32Array(1 << 12)
  edgeCount = 0
  /** Per state: its first edge and how many it has. */
  first = new Int32Array(1 << 12)
  count = new Int32Array(1 << 12)
  /** Per state: bit `2i` set when liveness property `i` holds, bit `2i + 1` when its premise does. */
  bits = new Uint32Array(1 << 12)
  private readonly classIds = new Map<string, number>()

  get classCount(): number {
    return this.classIds.size
  }

  /** Starts the edges of state `id`; a state expanded again replaces its edges. */
  beginState(id: number): void {
    this.ensureStates(id + 1)
    this.first[id] = this.edgeCount
    this.count[id] = 0
  }

  addEdge(from: number, target: number, action: number, fairness: string | undefined): void {
    if (this.edgeCount === this.targets.length) this.growEdges()
    const edge = this.edgeCount++
    this.targets[edge] = target
    this.actions[edge] = action
    this.classes[edge] = fairness === undefined ? -1 : this.classOf(fairness)
    this.count[from]!++
  }

  setBits(id: number, bits: number): void {
    this.ensureStates(id + 1)
    this.bits[id] = bits
  }

  get bytes(): number {
    return this.targets.byteLength * 3 + this.first.byteLength * 3
  }

  private classOf(fairness: string): number {
    let id = this.classIds.get(fairness)
    if (id === undefined) {
      id = this.classIds.size
      this.classIds.set(fairness, id)
    }
    return id
  }

  private growEdges(): void {
    const capacity = this.targets.length * 2
    this.targets = grown(this.targets, capacity)
    this.actions = grown(this.actions, capacity)
    this.classes = grown(this.classes, capacity)
  }

  private ensureStates(size: number): void {
    if (size <= this.first.length) return
    let capacity = this.first.length
    while (capacity < size) capacity *= 2
    this.first = grown(this.first, capacity)
    this.count = grown(this.count, capacity)
    const bits = new Uint32Array(capacity)
    bits.set(this.bits)
    this.bits = bits
  }
}

const grown = (from: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> => {
  const to = new Int32Array(capacity)
  to.set(from)
  return to
}
