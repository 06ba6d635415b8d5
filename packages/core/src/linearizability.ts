/**
 * Linearizability of a client history against a sequential specification
 * (Herlihy and Wing): every operation appears to take effect at one instant
 * between its invocation and its return, in an order the sequential
 * specification accepts. A specification that names a partition (a key) is
 * checked one partition at a time, which linearizability's locality makes
 * sound; each partition by the search in `linearizability/search.ts`.
 * `parley check`'s `linearizable` properties and `parley history check` use
 * this one checker.
 */
import type { ClientId } from "./actor.ts"
import type { HistoryEvent } from "./client.ts"
import { searchPartition } from "./linearizability/search.ts"
import type { BudgetExhausted, Operation, SearchBudget, SearchStats, SequentialSpec } from "./linearizability/operation.ts"
import { always } from "./property.ts"
import type { Property } from "./property.ts"

export type { BudgetExhausted, Operation, SearchBudget, SearchStats, SequentialSpec } from "./linearizability/operation.ts"

/** Pairs each invocation with its client's next return; an invocation with none is pending. */
export const operationsOf = <I, O>(history: ReadonlyArray<HistoryEvent<I, O>>): ReadonlyArray<Operation<I, O>> => {
  const open = new Map<ClientId, { client: ClientId; input: I; invokedAt: number }>()
  const operations: Array<Operation<I, O>> = []
  history.forEach((event, at) => {
    if (event._tag === "Invoke") {
      if (open.has(event.client)) throw new Error(`client ${event.client} invoked an operation while one was open, at event ${at}`)
      open.set(event.client, { client: event.client, input: event.request, invokedAt: at })
      return
    }
    const invoked = open.get(event.client)
    if (invoked === undefined) throw new Error(`client ${event.client} received a return with no open operation, at event ${at}`)
    open.delete(event.client)
    operations.push({ ...invoked, outcome: { _tag: "Returned", output: event.response, returnedAt: at } })
  })
  for (const invoked of open.values()) operations.push({ ...invoked, outcome: { _tag: "Pending" } })
  return operations.sort((a, b) => a.invokedAt - b.invokedAt)
}

/** The figures of a whole check: every partition's added up, and the largest memo. */
export interface CheckStats extends SearchStats {
  readonly partitions: number
  readonly decided: number
  readonly milliseconds: number
}

export type LinearizabilityResult<Op, M = unknown> =
  | { readonly _tag: "Linearizable"; readonly order: ReadonlyArray<Op>; readonly stats: CheckStats }
  | {
    readonly _tag: "NotLinearizable"
    readonly partition: string | undefined
    /** Every operation of the partition that is not linearizable. */
    readonly operations: ReadonlyArray<Op>
    /** The longest linearization of a prefix the search found, the model after it, and the returned operation that cannot follow. */
    readonly prefix: ReadonlyArray<Op>
    readonly model: M
    readonly blocked: Op
    readonly stats: CheckStats
  }
  | {
    readonly _tag: "Unknown"
    readonly reason: BudgetExhausted
    /** The partition the budget ran out in, and how far its search had got. */
    readonly partition: string | undefined
    readonly operations: ReadonlyArray<Op>
    readonly prefix: ReadonlyArray<Op>
    readonly blocked: Op | undefined
    readonly stats: CheckStats
  }

export interface CheckOptions {
  readonly budget?: SearchBudget
  /** The clock the time budget is read from, in milliseconds. */
  readonly now?: () => number
}

const partitionsOf = <I, Op extends Operation<I, unknown>>(
  partitionOf: ((input: I) => string) | undefined,
  operations: ReadonlyArray<Op>
): Array<[string | undefined, Array<Op>]> => {
  const partitions = new Map<string | undefined, Array<Op>>()
  for (const operation of operations) {
    const key = partitionOf?.(operation.input)
    const members = partitions.get(key)
    if (members === undefined) partitions.set(key, [operation])
    else members.push(operation)
  }
  // The small partitions first: one that is not linearizable is usually found at once.
  return [...partitions].sort((a, b) => a[1].length - b[1].length)
}

/**
 * Whether `operations` are linearizable against `spec`, partition by
 * partition; with a budget, `Unknown` when it runs out before a verdict.
 * A partition whose memo outgrows the budget is left undecided and the
 * others are still checked, since one of them may be not linearizable.
 */
export const checkLinearizability = <M, I, O, Op extends Operation<I, O> = Operation<I, O>>(
  spec: SequentialSpec<M, I, O>,
  operations: ReadonlyArray<Op>,
  options: CheckOptions = {}
): LinearizabilityResult<Op, M> => {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const limits = {
    deadline: started + (options.budget?.maxMilliseconds ?? Number.POSITIVE_INFINITY),
    maxMemoryBytes: options.budget?.maxMemoryBytes ?? Number.POSITIVE_INFINITY,
    now
  }
  const partitions = partitionsOf(spec.partition?.bind(spec), operations)
  const totals = { partitions: partitions.length, decided: 0, explored: 0, memoEntries: 0, memoBytes: 0, milliseconds: 0 }
  const stats = (): CheckStats => ({ ...totals, milliseconds: now() - started })
  const order: Array<Op> = []
  let undecided: LinearizabilityResult<Op, M> | undefined
  for (const [partition, members] of partitions) {
    members.sort((a, b) => a.invokedAt - b.invokedAt)
    const verdict = searchPartition(spec, members, limits)
    totals.explored += verdict.stats.explored
    totals.memoEntries = Math.max(totals.memoEntries, verdict.stats.memoEntries)
    totals.memoBytes = Math.max(totals.memoBytes, verdict.stats.memoBytes)
    const pick = (indices: ReadonlyArray<number>) => indices.map((index) => members[index]!)
    if (verdict._tag === "Linearizable") {
      totals.decided++
      order.push(...pick(verdict.order))
    } else if (verdict._tag === "NotLinearizable") {
      totals.decided++
      const { prefix, model, blocked } = verdict
      return { _tag: "NotLinearizable", partition, operations: members, prefix: pick(prefix), model, blocked: members[blocked]!, stats: stats() }
    } else {
      const blocked = verdict.blocked === undefined ? undefined : members[verdict.blocked]
      undecided ??= { _tag: "Unknown", reason: verdict.reason, partition, operations: members, prefix: pick(verdict.prefix), blocked, stats: stats() }
      if (verdict.reason === "time") break
    }
  }
  if (undecided !== undefined) return { ...undecided, stats: stats() }
  return { _tag: "Linearizable", order, stats: stats() }
}

/**
 * The client history `historyOf` gives is linearizable against `spec`. A
 * history is an immutable array that states share until a client acts, so
 * each array is checked once.
 */
export const linearizable = <S, M, I, O>(
  name: string,
  spec: SequentialSpec<M, I, O>,
  historyOf: (state: S) => ReadonlyArray<HistoryEvent<I, O>>
): Property<S> => {
  const verdicts = new WeakMap<ReadonlyArray<HistoryEvent<I, O>>, boolean>()
  return always(name, (state) => {
    const history = historyOf(state)
    let verdict = verdicts.get(history)
    if (verdict === undefined) {
      verdict = checkLinearizability(spec, operationsOf(history))._tag === "Linearizable"
      verdicts.set(history, verdict)
    }
    return verdict
  })
}
