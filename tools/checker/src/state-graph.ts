/**
 * The part of the graph one thread of a parallel search built: the edges of
 * the states it expanded and the bits of the states it stored, its
 * fairness classes by name, since each thread numbers them as it meets them.
 */
export interface GraphPart {
  readonly targets: Int32Array<ArrayBuffer>
  readonly actions: Int32Array<ArrayBuffer>
  readonly classes: Int32Array<ArrayBuffer>
  readonly first: Int32Array<ArrayBuffer>
  readonly count: Int32Array<ArrayBuffer>
  readonly bits: Uint32Array<ArrayBuffer>
  readonly classNames: ReadonlyArray<string>
}

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

  /** This graph as a part of a parallel search's whole graph, trimmed to its edges; the graph is not used after. */
  part(): GraphPart {
    return {
      targets: this.targets.slice(0, this.edgeCount),
      actions: this.actions.slice(0, this.edgeCount),
      classes: this.classes.slice(0, this.edgeCount),
      first: this.first,
      count: this.count,
      bits: this.bits,
      classNames: [...this.classIds.keys()]
    }
  }

  /**
   * The whole graph of a parallel search over ids `0 .. stateCount - 1`,
   * from its threads' parts: each state was expanded by one thread and
   * stored by one, so its edges are that thread's and its bits are the OR.
   */
  static merged(parts: ReadonlyArray<GraphPart>, stateCount: number): StateGraph {
    const graph = new StateGraph()
    graph.ensureStates(stateCount)
    const edges = parts.reduce((sum, part) => sum + part.targets.length, 0)
    graph.targets = new Int32Array(Math.max(edges, 1))
    graph.actions = new Int32Array(Math.max(edges, 1))
    graph.classes = new Int32Array(Math.max(edges, 1))
    for (const part of parts) {
      const offset = graph.edgeCount
      graph.targets.set(part.targets, offset)
      graph.actions.set(part.actions, offset)
      const classIds = part.classNames.map((name) => graph.classOf(name))
      for (let edge = 0; edge < part.classes.length; edge++) {
        const local = part.classes[edge]!
        graph.classes[offset + edge] = local < 0 ? -1 : classIds[local]!
      }
      for (let id = 0, end = Math.min(part.first.length, stateCount); id < end; id++) {
        graph.bits[id]! |= part.bits[id]!
        if (part.count[id]! === 0) continue
        graph.first[id] = part.first[id]! + offset
        graph.count[id] = part.count[id]!
      }
      graph.edgeCount += part.targets.length
    }
    return graph
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
