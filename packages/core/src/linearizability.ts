/**
 * Linearizability of a client history against a sequential specification
 * (Herlihy and Wing): every operation appears to take effect at one instant
 * between its invocation and its return, in an order the sequential
 * specification accepts. The search is Wing and Gong's, with Lowe's memo of
 * (operations linearized, model) pairs already explored; a specification
 * that names a partition (a key) is checked one partition at a time, which
 * linearizability's locality makes sound.
 */
import type { ClientId } from "./actor.ts"
import type { HistoryEvent } from "./client.ts"
import { equals } from "./equals.ts"
import { fingerprint } from "./fingerprint.ts"
import { always } from "./property.ts"
import type { Property } from "./property.ts"

export interface SequentialSpec<M, I, O> {
  readonly name: string
  init(): M
  apply(model: M, input: I): { readonly model: M; readonly output: O }
  /** Operations in different partitions never affect each other (different keys of a map). */
  partition?(input: I): string
}

/**
 * One operation of a history. A pending operation (its client never saw a
 * response) may have taken effect at any instant after its invocation, or
 * not at all.
 */
export interface Operation<I, O> {
  readonly client: ClientId
  readonly input: I
  readonly invokedAt: number
  readonly outcome: { readonly _tag: "Returned"; readonly output: O; readonly returnedAt: number } | { readonly _tag: "Pending" }
}

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

export type LinearizabilityResult<I, O> =
  | { readonly _tag: "Linearizable"; readonly order: ReadonlyArray<Operation<I, O>> }
  | { readonly _tag: "NotLinearizable"; readonly partition: string | undefined; readonly operations: ReadonlyArray<Operation<I, O>> }

const returnedAt = (operation: Operation<unknown, unknown>): number =>
  operation.outcome._tag === "Returned" ? operation.outcome.returnedAt : Number.POSITIVE_INFINITY

/**
 * A linearization of `operations` (sorted by invocation) in which every
 * returned operation appears, with the output it returned, and a pending one
 * appears or not; undefined when there is none.
 */
const linearize = <M, I, O>(
  spec: SequentialSpec<M, I, O>,
  operations: ReadonlyArray<Operation<I, O>>
): ReadonlyArray<Operation<I, O>> | undefined => {
  const done = new Uint8Array(operations.length)
  const order: Array<Operation<I, O>> = []
  let returnedLeft = operations.filter((operation) => operation.outcome._tag === "Returned").length
  // Lowe's memo: a (done set, model) pair once explored fails every time.
  const explored = new Map<string, Array<M>>()
  const alreadyExplored = (model: M): boolean => {
    const key = `${done.join("")}:${fingerprint(model)}`
    const models = explored.get(key)
    if (models === undefined) {
      explored.set(key, [model])
      return false
    }
    if (models.some((seen) => equals(seen, model))) return true
    models.push(model)
    return false
  }
  const search = (model: M): boolean => {
    if (returnedLeft === 0) return true
    if (alreadyExplored(model)) return false
    // An operation can go next only if it was invoked before every operation not yet placed returned.
    let deadline = Number.POSITIVE_INFINITY
    for (let i = 0; i < operations.length; i++) if (done[i] === 0) deadline = Math.min(deadline, returnedAt(operations[i]!))
    for (let i = 0; i < operations.length; i++) {
      const operation = operations[i]!
      if (operation.invokedAt > deadline) break
      if (done[i] === 1) continue
      const applied = spec.apply(model, operation.input)
      const returned = operation.outcome._tag === "Returned"
      if (returned && !equals(applied.output, (operation.outcome as { output: O }).output)) continue
      done[i] = 1
      order.push(operation)
      if (returned) returnedLeft--
      if (search(applied.model)) return true
      if (returned) returnedLeft++
      order.pop()
      done[i] = 0
    }
    return false
  }
  return search(spec.init()) ? order : undefined
}

export const checkLinearizability = <M, I, O>(
  spec: SequentialSpec<M, I, O>,
  operations: ReadonlyArray<Operation<I, O>>
): LinearizabilityResult<I, O> => {
  const partitions = new Map<string | undefined, Array<Operation<I, O>>>()
  for (const operation of operations) {
    const key = spec.partition?.(operation.input)
    const members = partitions.get(key)
    if (members === undefined) partitions.set(key, [operation])
    else members.push(operation)
  }
  const order: Array<Operation<I, O>> = []
  for (const [partition, members] of partitions) {
    members.sort((a, b) => a.invokedAt - b.invokedAt)
    const linearization = linearize(spec, members)
    if (linearization === undefined) return { _tag: "NotLinearizable", partition, operations: members }
    order.push(...linearization)
  }
  return { _tag: "Linearizable", order }
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
