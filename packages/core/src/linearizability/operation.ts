/**
 * What a linearizability check takes: a sequential specification and the
 * operations of a history, each with its invocation and, unless its outcome
 * is unknown, its return.
 */
import type { ClientId } from "../actor.ts"

/**
 * The sequential object a history is checked against. `apply` is
 * deterministic: an input in a state has one output and one next state.
 */
export interface SequentialSpec<M, I, O> {
  readonly name: string
  init(): M
  apply(model: M, input: I): { readonly model: M; readonly output: O }
  /** Operations in different partitions never affect each other (different keys of a map). */
  partition?(input: I): string
  /**
   * An input that never changes the model (a read). Such an operation whose
   * outcome is unknown constrains nothing, so the search leaves it out.
   */
  readOnly?(input: I): boolean
  /** A 32-bit hash of a model, equal for models `equal` calls equal; the structural fingerprint when absent. */
  hash?(model: M): number
  /** Whether two models are the same; structural equality when absent. */
  equal?(a: M, b: M): boolean
}

/**
 * One operation of a history. A pending operation (its client never learnt
 * its outcome: a timeout, a crash; Jepsen's `info`) may have taken effect at
 * any instant after its invocation, or not at all.
 */
export interface Operation<I, O> {
  readonly client: ClientId
  readonly input: I
  readonly invokedAt: number
  readonly outcome: { readonly _tag: "Returned"; readonly output: O; readonly returnedAt: number } | { readonly _tag: "Pending" }
}

/** Bounds on one check: past either, the verdict is `Unknown` rather than an exhausted machine. */
export interface SearchBudget {
  /** Wall-clock time for the whole check, every partition together. */
  readonly maxMilliseconds?: number
  /** Memory for the search's memo of explored configurations, per partition. */
  readonly maxMemoryBytes?: number
}

/** What a search did: enough to size a budget and compare runs. */
export interface SearchStats {
  /** Configurations (operations linearized so far, model) the search entered. */
  readonly explored: number
  /** Configurations the memo held at the end, and the bytes it took. */
  readonly memoEntries: number
  readonly memoBytes: number
}

/** Why a search gave up: its time or its memory ran out. */
export type BudgetExhausted = "time" | "memory"

/** Indices into the partition's operations. */
export type PartitionVerdict<M> =
  | { readonly _tag: "Linearizable"; readonly order: ReadonlyArray<number>; readonly stats: SearchStats }
  | {
    readonly _tag: "NotLinearizable"
    /** The longest linearization of a prefix the search found, then the returned operation it could not place after it. */
    readonly prefix: ReadonlyArray<number>
    readonly blocked: number
    readonly model: M
    readonly stats: SearchStats
  }
  | {
    readonly _tag: "Unknown"
    readonly reason: BudgetExhausted
    readonly prefix: ReadonlyArray<number>
    readonly blocked: number | undefined
    readonly stats: SearchStats
  }

export interface PartitionLimits {
  /** When, by `now`, the search gives up. */
  readonly deadline: number
  readonly maxMemoryBytes: number
  readonly now: () => number
}
