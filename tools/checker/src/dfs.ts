import type { Exploration, Frontier, StrategyRun } from "./exploration.ts"
import type { StateTable } from "./state-table.ts"

/** States a DFS expands between two pauses of an interruptible run. */
const SLICE = 4096

/**
 * Depth-first search with an explicit stack: finds deep states sooner than
 * BFS, though its counterexample need not be the shortest. Under a depth
 * bound a state first met deep may be met again shallower later; it is then
 * expanded again from there, or what lies beyond it within the bound would
 * be missed, so the stack remembers the depth each state was reached at.
 */
export const depthFirst = <S, A>(explored: Exploration<S, A>): StrategyRun => ({
  *slices() {
    const stack = new Stack<S>(explored.table, explored.options.maxDepth)
    if (!explored.seed(stack)) return
    for (let expanded = 1; stack.size > 0; expanded++) {
      if (explored.stopping()) return
      const { state, id, depth } = stack.pop()
      if (!explored.expand(state, id, depth, stack, 0)) return
      if (expanded % SLICE === 0) yield
    }
  },
  finish: () => explored.finish()
})

class Stack<S> implements Frontier<S> {
  private readonly states: Array<S> = []
  private readonly ids: Array<number> = []
  private readonly depths: Array<number> = []
  /** Under a depth bound, the least depth each stored state was reached at, by id. */
  private reachedAt: Uint32Array | undefined

  constructor(private readonly table: StateTable, maxDepth: number | undefined) {
    if (maxDepth !== undefined) this.reachedAt = new Uint32Array(1024)
  }

  get size(): number {
    return this.states.length
  }

  push(state: S, id: number, depth: number): void {
    this.states.push(state)
    this.ids.push(id)
    this.depths.push(depth)
    if (this.reachedAt !== undefined) this.record(id, depth)
  }

  pop(): { readonly state: S; readonly id: number; readonly depth: number } {
    return { state: this.states.pop()!, id: this.ids.pop()!, depth: this.depths.pop()! }
  }

  /** A state seen before, now reached at a smaller depth, is expanded again from there. */
  revisit(state: S, id: number, parent: number, action: number, depth: number): void {
    if (this.reachedAt === undefined || depth >= this.reachedAt[id]!) return
    this.table.reparent(id, parent, action)
    this.push(state, id, depth)
  }

  private record(id: number, depth: number): void {
    let reachedAt = this.reachedAt!
    if (id >= reachedAt.length) {
      const grown = new Uint32Array(Math.max(reachedAt.length * 2, id + 1))
      grown.set(reachedAt)
      this.reachedAt = reachedAt = grown
    }
    reachedAt[id] = depth
  }
}
