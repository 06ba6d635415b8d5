import type { Model } from "@parley/core/model"
import { BreadthFirst } from "./bfs.ts"
import { depthFirst } from "./dfs.ts"
import { Exploration } from "./exploration.ts"
import type { StrategyRun } from "./exploration.ts"
import { assertValidOptions } from "./options.ts"
import { randomWalks } from "./simulation.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult } from "./types.ts"

/**
 * Explores every state of a model reachable within its boundary, checking
 * each `always` property on each new state, as TLC and Stateright do, by
 * the strategy the options name: breadth first (`bfs.ts`), depth first
 * (`dfs.ts`) or by random walks (`simulation.ts`), over the bookkeeping
 * they share (`exploration.ts`).
 */
export const check = <S, A>(model: Model<S, A>, options: CheckOptions): CheckResult => new Search(model, options).run()

/** One search of a model: the options checked, the strategy picked, then run to the end. */
export class Search<S, A> {
  private readonly explored: Exploration<S, A>
  private readonly strategy: StrategyRun

  /** `table`: a checkpoint's, restored, when `options.resume` is given. Throws a `RangeError` on options that do not go together. */
  constructor(model: Model<S, A>, options: CheckOptions, table = new StateTable()) {
    assertValidOptions(options, { model })
    this.explored = new Exploration(model, options, table)
    this.strategy = options.strategy === "bfs"
      ? new BreadthFirst(this.explored)
      : options.strategy === "dfs"
      ? depthFirst(this.explored)
      : randomWalks(this.explored)
  }

  run(): CheckResult {
    for (const _ of this.strategy.slices()) {
      // Run to the end; `runInterruptibly` is the one that pauses between slices.
    }
    return this.strategy.finish()
  }

  /** A `run` that lets the event loop turn between slices, so `requestStop` (or `options.signal`) can come from a signal handler. */
  async runInterruptibly(): Promise<CheckResult> {
    for (const _ of this.strategy.slices()) await new Promise((resolve) => setImmediate(resolve))
    return this.strategy.finish()
  }

  /** Asks the search to stop after the state it is expanding: the result is then `bounded` and `interrupted`. */
  requestStop(): void {
    this.explored.requestStop()
  }
}
