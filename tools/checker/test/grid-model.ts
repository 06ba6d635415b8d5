import { always } from "@parley/core"
import type { Model, StepEvent } from "@parley/core"

/** A point on a grid, walked right or up. */
export interface Point {
  readonly x: number
  readonly y: number
}

/**
 * A walker on a `size`×`size` grid that moves right or up, with an `always`
 * property broken at `trap` when one is given; a module of its own so a
 * worker thread can load it (see `ModelSource`).
 */
export const gridModel = ({ size, trap }: { readonly size: number; readonly trap?: Point }): Model<Point, "right" | "up"> => ({
  init: () => [{ x: 0, y: 0 }],
  actions: () => ["right", "up"],
  next: (p, a) => (a === "right" ? (p.x + 1 < size ? { ...p, x: p.x + 1 } : undefined) : p.y + 1 < size ? { ...p, y: p.y + 1 } : undefined),
  properties: trap === undefined ? [] : [always("AvoidsTrap", (p: Point) => p.x !== trap.x || p.y !== trap.y)],
  describe: (_, a): StepEvent => ({ _tag: "Local", node: "walker", label: a }),
  lanes: (p) => ({ walker: p })
})
