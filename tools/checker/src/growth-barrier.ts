import type { StateTable } from "./state-table.ts"

/** `control` fields, shared by the workers of one search. */
const GROW = 0
const ARRIVED = 1
/** Workers expanding a level now; the main thread sets it before each level. */
export const BUSY = 2
const GENERATION = 3

export const CONTROL_FIELDS = 4

/**
 * Rehashing the shared table's index needs every thread that may insert
 * stopped. A worker that finds the table crowded raises a flag; each busy
 * worker meets it after its current state; the last to arrive rehashes and
 * releases the others. A worker that ends its level leaves the busy count,
 * first joining any rehash under way, so nobody waits for an idle worker.
 */
export class GrowthBarrier {
  constructor(private readonly control: Int32Array, private readonly table: StateTable) {}

  /** Between two expansions: joins a rehash if one is wanted. */
  checkpoint(): void {
    if (this.table.crowded) Atomics.compareExchange(this.control, GROW, 0, 1)
    if (Atomics.load(this.control, GROW) !== 0) this.rendezvous()
  }

  /** At the end of a level. */
  leave(): void {
    while (Atomics.load(this.control, GROW) !== 0) this.rendezvous()
    Atomics.sub(this.control, BUSY, 1)
    // Whoever waits for everyone busy to arrive counts one fewer now.
    Atomics.notify(this.control, GENERATION)
  }

  private rendezvous(): void {
    const { control } = this
    const generation = Atomics.load(control, GENERATION)
    Atomics.add(control, ARRIVED, 1)
    for (;;) {
      if (Atomics.load(control, GENERATION) !== generation) return
      if (Atomics.load(control, ARRIVED) >= Atomics.load(control, BUSY) && Atomics.compareExchange(control, GROW, 1, 2) === 1) {
        while (this.table.crowded) this.table.rehash()
        Atomics.store(control, ARRIVED, 0)
        Atomics.store(control, GROW, 0)
        Atomics.add(control, GENERATION, 1)
        Atomics.notify(control, GENERATION)
        return
      }
      Atomics.wait(control, GENERATION, generation, 1)
    }
  }
}
