import type { GhostHistory, NodeSlot } from "@parley/core/model"
import type { Interner } from "./interner.ts"
import { PairMap } from "./tuple-table.ts"

/**
 * The ghost history's update after a node's step, on ids: what
 * `SystemSteps` computes as `observe(ghost, node, before, after)`. The
 * answer depends only on the ghost and on the step's effect (which names
 * the node, its slot before and its slot after), so it is remembered per
 * (ghost id, effect index): a step met again costs one probe, not a call
 * of `observe` and, when the ghost changed, the hashing of a new one.
 */
export class GhostSteps<S, T, D> {
  private readonly after = new PairMap()

  constructor(
    private readonly ghost: GhostHistory<S, unknown>,
    private readonly ghosts: Interner<unknown>,
    private readonly slots: Interner<NodeSlot<S, T, D>>,
    private readonly nodeIds: ReadonlyArray<string>
  ) {}

  /** The ghost's id once node `node` went from slot `before` to slot `afterSlot` by effect `effect`. */
  observed(ghostId: number, node: number, before: number, afterSlot: number, effect: number): number {
    const known = this.after.get(ghostId, effect)
    if (known >= 0) return known
    const ghost = this.ghosts.values[ghostId]
    const from = this.slots.values[before]!
    const to = this.slots.values[afterSlot]!
    // A node's step other than a crash leaves it up; a crash is not observed.
    if (!to.up) throw new RangeError(`node ${this.nodeIds[node]} is down after a step the ghost observes`)
    const next = this.ghost.observe(ghost, this.nodeIds[node]!, from.up ? from.state : undefined, to.state)
    const id = next === ghost ? ghostId : this.ghosts.intern(next)
    this.after.set(ghostId, effect, id)
    return id
  }
}
