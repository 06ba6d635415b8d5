import type { PropertyKind } from "@parley/core/model"
import type { Path } from "./path.ts"
import type { StateTable } from "./state-table.ts"
import type { ThreadFigures } from "./thread-figures.ts"

export type { Path } from "./path.ts"

export type Strategy = "bfs" | "dfs" | "sim"

/**
 * How the search runs. Bounds make a run `bounded` instead of exhaustive.
 * Which options go together is checked in one place, `validateCheckOptions`.
 */
export interface CheckOptions {
  /** `sim` runs random walks instead of exhausting the states: never `ok`, at best `bounded`. */
  readonly strategy: Strategy
  /** States deeper than this are not expanded (the initial states are at depth 0); for `sim`, each walk's length (default 100). */
  readonly maxDepth?: number
  /** `sim`: how many walks (default 1000). */
  readonly walks?: number
  /** `sim`: the seed the walks are drawn from (default 0); the same seed gives the same walks. */
  readonly seed?: number
  /** Stop once this many distinct states are stored. */
  readonly maxStates?: number
  /** Report a state with no successor as a violation unless the model calls it `terminal`. */
  readonly deadlock?: boolean
  /** Called about once per `progressIntervalMs` (default 1000) while the search runs. */
  readonly onProgress?: (progress: Progress) => void
  readonly progressIntervalMs?: number
  /**
   * Check the model's liveness properties too. They need the whole state
   * graph (twelve bytes an edge), so they are checked only when asked, and
   * only when the search is exhaustive.
   */
  readonly liveness?: boolean
  /**
   * Store one state per symmetry orbit (see `Model.symmetryFingerprint`).
   * Counterexamples stay real paths. Not with `liveness`: an edge of the
   * reduced graph may lead to a permutation of the state it names, so a
   * cycle in it need not replay as a cycle.
   */
  readonly symmetry?: boolean
  /**
   * BFS without liveness: partial-order reduction by sleep sets (see
   * `sleep-sets.ts`), for a model that declares which of its steps commute
   * (an actor system does). The same states, each at the same depth, so the
   * same verdicts and counterexamples as long; fewer steps taken. Off unless
   * asked for; `parley check` asks unless given `--no-por`.
   */
  readonly partialOrder?: boolean
  /** BFS without liveness: called at the end of every level, where a checkpoint may be taken. */
  readonly onLevel?: (atLevelEnd: SearchPosition) => void
  /** BFS without liveness: called once a stop asked for through `signal` has taken effect, with where the search stood. */
  readonly onStopped?: (stoppedAt: SearchPosition) => void
  /**
   * Stops the search after the state it is on, as `Search.requestStop` does:
   * the result is `bounded` and `interrupted`, with the figures so far.
   * Asynchronous runs (`runInterruptibly`, `checkParallel`) let it be
   * aborted from a signal handler.
   */
  readonly signal?: AbortSignal
  /** BFS without liveness: go on from a snapshot, with the table it was taken with passed to the search. */
  readonly resume?: SearchSnapshot
}

/**
 * Where a BFS stands, at a level's end or where it was stopped: the
 * unexpanded states of its level and the states of the next found so far,
 * by id, and the figures so far. With the table, enough to go on (see
 * `CheckOptions.resume`).
 */
export interface SearchSnapshot {
  readonly depth: number
  /** Ids of the states of level `depth` not yet expanded. */
  readonly pending: ReadonlyArray<number>
  /** Ids of the states of level `depth + 1` found so far. */
  readonly next: ReadonlyArray<number>
  readonly generated: number
  readonly deepest: number
  readonly witnesses: ReadonlyArray<number>
  readonly elapsedMs: number
}

/** Where a BFS stands: with its state table, enough to go on from (what a checkpoint holds). */
export interface SearchPosition {
  snapshot(): SearchSnapshot
  readonly stateTable: StateTable
}

export interface Progress {
  readonly distinctStates: number
  readonly generatedStates: number
  /** States discovered but not yet expanded (BFS queue or DFS stack). */
  readonly queued: number
  readonly depth: number
  readonly elapsedMs: number
  readonly statesPerSec: number
}


export interface Violation {
  readonly property: string
  readonly kind: Exclude<PropertyKind, "sometimes"> | "deadlock"
  readonly path: Path
  /** A liveness violation is a lasso: the actions from this index on form a cycle back to the state before them; the path's length means the last state may last forever. */
  readonly loopStart?: number
}

export interface CheckResult {
  /** `ok`: exhaustive, no violation. `bounded`: no violation, but a depth or state bound cut the search short. */
  readonly result: "ok" | "violation" | "bounded"
  readonly violation?: Violation
  readonly distinctStates: number
  readonly generatedStates: number
  /** With `partialOrder`: the steps not taken because they were asleep (each would have generated a state). */
  readonly skippedTransitions?: number
  readonly maxDepth: number
  readonly elapsedMs: number
  readonly statesPerSec: number
  /** `sometimes` properties some explored state satisfied, each with a path to its first witness. */
  readonly reached: ReadonlyArray<{ readonly property: string; readonly path: Path }>
  /** `sometimes` properties no explored state satisfied: the spec may be vacuous. */
  readonly unreached: ReadonlyArray<string>
  /** Bytes the fingerprint table holds at the end (ids, parent links, actions, index): the store's whole cost. */
  readonly tableBytes: number
  /** Peak bytes of a breadth-first frontier kept as words (a model with a codec); absent when states are kept live. */
  readonly frontierBytes?: number
  /** `sim`: the walks run. */
  readonly walks?: number
  /** A breadth-first search on several threads: what each did, the main thread first (see `ThreadFigures`). */
  readonly perThread?: ReadonlyArray<ThreadFigures>
  /** Stopped on request (Ctrl-C) before the search was done: the result is `bounded`. */
  readonly interrupted?: boolean
  /** Liveness properties left unchecked: not asked for, or a bound cut the search short (a cycle or an end may lie beyond it). */
  readonly livenessUnchecked: ReadonlyArray<string>
}
