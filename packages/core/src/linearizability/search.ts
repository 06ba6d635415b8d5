/**
 * The search for a linearization of one partition's operations: Wing and
 * Gong's backtracking search with Lowe's just-in-time rule (an operation is
 * linearized only when some return forces it, so only operations called
 * before the first return still open are tried) and his memo of entered
 * configurations, here with dominance (see `memo.ts`). It runs as a loop over
 * an explicit chain of nodes, so the length of a history is no limit, and it
 * stops with `Unknown` when its time or memory budget runs out.
 *
 * At each node it tries the returned operations first, in the order they
 * were called, and the pending ones (unknown outcome) only once those are
 * exhausted, all of them admitted to the memo before the first is entered,
 * so a chain of pending operations is never explored in two orders that
 * reach the same configuration. Pending operations with equal inputs are
 * interchangeable, so only the earliest called of each is tried.
 */
import { equals } from "../equals.ts"
import { EventLists } from "./event-lists.ts"
import { classesOfEqualInputs, clearBit, hasBit, mix, setBit, structuralHash, zobristKeys } from "./keys.ts"
import { DominanceMemo } from "./memo.ts"
import type { Configuration } from "./memo.ts"
import type { BudgetExhausted, Operation, PartitionLimits, PartitionVerdict, SearchStats, SequentialSpec } from "./operation.ts"

const TRY_RETURNED = 0
const TRY_PENDING = 1
const EXHAUSTED = 2
const NONE = EventLists.none
/** Steps between two looks at the clock and the memo's size. */
const BUDGET_EVERY = 1024

interface PendingChoices<M> {
  readonly slots: ReadonlyArray<number>
  readonly models: ReadonlyArray<M>
}

interface Node<M> {
  readonly parent: Node<M> | undefined
  /** The partition's operation linearized to reach this node; -1 at the root. */
  readonly operation: number
  /** Its index among the returned operations, or among the pending ones when `pending`. */
  readonly slot: number
  readonly pending: boolean
  readonly model: M
  readonly linearizedReturned: number
  readonly previousFrontier: number
  readonly previousHighest: number
  readonly previousPendingWords: number
  phase: typeof TRY_RETURNED | typeof TRY_PENDING | typeof EXHAUSTED
  /** The returned operation's call entry tried last; NONE before the first. */
  cursor: number
  /** The pending operations admitted after this node, each with the model it leads to, and the next to enter. */
  choices: PendingChoices<M> | undefined
  nextChoice: number
}

export const searchPartition = <M, I, O>(
  spec: SequentialSpec<M, I, O>,
  operations: ReadonlyArray<Operation<I, O>>,
  limits: PartitionLimits
): PartitionVerdict<M> => new PartitionSearch(spec, operations, limits).run()

class PartitionSearch<M, I, O> {
  private readonly returned: Array<number> = []
  private readonly pending: Array<number> = []
  private readonly lists: EventLists
  private readonly returnedBits: Uint32Array
  private readonly pendingBits: Uint32Array
  private readonly keys: Int32Array
  /** 1 for a returned operation the spec says is read-only. */
  private readonly readOnly: Uint8Array
  private readonly pendingClass: Int32Array
  private readonly classSeen: Int32Array
  private readonly memo: DominanceMemo<M>
  private readonly scratch: Configuration<M>
  private readonly hashModel: (model: M) => number
  private frontier = 0
  private highest = -1
  private pendingWords = 0
  private zobrist = 0
  private returnedLeft: number
  private explored = 0
  private stamp = 0
  private best: Node<M> | undefined
  private bestBlocked = -1

  constructor(
    private readonly spec: SequentialSpec<M, I, O>,
    private readonly operations: ReadonlyArray<Operation<I, O>>,
    private readonly limits: PartitionLimits
  ) {
    operations.forEach((operation, index) => {
      if (operation.outcome._tag === "Returned") this.returned.push(index)
      else if (spec.readOnly?.(operation.input) !== true) this.pending.push(index)
    })
    const byCall = (a: number, b: number) => operations[a]!.invokedAt - operations[b]!.invokedAt
    this.returned.sort(byCall)
    this.pending.sort(byCall)
    this.lists = new EventLists(
      this.returned.map((index) => operations[index]!.invokedAt),
      this.returned.map((index) => returnedAt(operations[index]!)),
      this.pending.map((index) => operations[index]!.invokedAt)
    )
    this.returnedLeft = this.returned.length
    this.returnedBits = new Uint32Array((this.returned.length >>> 5) + 1)
    this.pendingBits = new Uint32Array((this.pending.length >>> 5) + 1)
    this.keys = zobristKeys(this.returned.length)
    this.readOnly = Uint8Array.from(this.returned, (index) => (spec.readOnly?.(operations[index]!.input) === true ? 1 : 0))
    this.pendingClass = classesOfEqualInputs(this.pending.map((index) => operations[index]!.input))
    this.classSeen = new Int32Array(this.pending.length)
    this.memo = new DominanceMemo(spec.equal ?? equals)
    this.hashModel = spec.hash ?? structuralHash
    this.scratch = {
      hash: 0, frontier: 0, returnedBits: this.returnedBits, fromWord: 0, returnedWords: 0,
      pendingBits: this.pendingBits, pendingWords: 0, model: spec.init()
    }
  }

  run(): PartitionVerdict<M> {
    let node: Node<M> = this.root()
    for (let steps = 1;; steps++) {
      if (this.returnedLeft === 0) return { _tag: "Linearizable", order: chain(node), stats: this.stats() }
      if (steps % BUDGET_EVERY === 0) {
        const exhausted = this.exhausted()
        if (exhausted !== undefined) return this.unknown(exhausted)
      }
      // Each node tries the returned operations, then the pending ones, then the search backs up.
      if (node.phase === TRY_RETURNED) {
        node = this.nextReturned(node) ?? node
        continue
      }
      const child = node.phase === TRY_PENDING ? this.nextPending(node) : undefined
      if (child !== undefined) {
        node = child
        continue
      }
      if (node.parent === undefined) return this.notLinearizable()
      this.undo(node)
      node = node.parent
    }
  }

  /** The next returned operation that can go after `node`, entered; undefined when none is left. */
  private nextReturned(node: Node<M>): Node<M> | undefined {
    if (node.cursor === NONE) {
      const read = this.readNow(node)
      if (read !== NONE) return this.onlyChild(node, read)
    }
    let entry = node.cursor === NONE ? this.lists.first() : this.lists.after(node.cursor)
    for (; !EventLists.isReturn(entry); entry = this.lists.after(entry)) {
      const slot = EventLists.operationOf(entry)
      const operation = this.operations[this.returned[slot]!]!
      const applied = this.spec.apply(node.model, operation.input)
      if (!this.returns(applied.output, operation)) continue
      const child = this.enterReturned(node, slot, applied.model)
      if (child !== undefined) {
        node.cursor = entry
        return child
      }
    }
    this.noteBlocked(node, EventLists.operationOf(entry))
    node.phase = TRY_PENDING
    return undefined
  }

  /**
   * A read-only operation that may go next and returns what it returned at
   * `node` can go first in every completion from `node` (it changes nothing,
   * and moving it earlier frees the rest), so when there is one it is the
   * node's only child. Its call entry, or NONE.
   */
  private readNow(node: Node<M>): number {
    if (this.spec.readOnly === undefined) return NONE
    for (let entry = this.lists.first(); !EventLists.isReturn(entry); entry = this.lists.after(entry)) {
      const slot = EventLists.operationOf(entry)
      if (this.readOnly[slot] === 0) continue
      const operation = this.operations[this.returned[slot]!]!
      if (this.returns(this.spec.apply(node.model, operation.input).output, operation)) return entry
    }
    return NONE
  }

  private onlyChild(node: Node<M>, entry: number): Node<M> | undefined {
    node.phase = EXHAUSTED
    node.cursor = entry
    return this.enterReturned(node, EventLists.operationOf(entry), node.model)
  }

  private returns(output: O, operation: Operation<I, O>): boolean {
    return operation.outcome._tag === "Returned" && equals(output, operation.outcome.output)
  }

  private enterReturned(node: Node<M>, slot: number, model: M): Node<M> | undefined {
    setBit(this.returnedBits, slot)
    let frontier = this.frontier
    if (slot === frontier) while (frontier < this.returned.length && hasBit(this.returnedBits, frontier)) frontier++
    const highest = Math.max(this.highest, slot)
    if (!this.admit(frontier, highest, this.zobrist ^ this.keys[slot]!, this.pendingWords, model)) {
      clearBit(this.returnedBits, slot)
      return undefined
    }
    const child = this.child(node, this.returned[slot]!, slot, false, model)
    this.frontier = frontier
    this.highest = highest
    this.zobrist ^= this.keys[slot]!
    this.returnedLeft--
    this.lists.liftReturned(slot)
    return child
  }

  /** The next pending operation to put after `node`, entered; undefined when none is left. */
  private nextPending(node: Node<M>): Node<M> | undefined {
    const choices = node.choices ?? this.choosePending(node)
    if (node.nextChoice === choices.slots.length) {
      node.choices = undefined
      return undefined
    }
    const slot = choices.slots[node.nextChoice]!
    const model = choices.models[node.nextChoice++]!
    const child = this.child(node, this.pending[slot]!, slot, true, model)
    setBit(this.pendingBits, slot)
    this.pendingWords = Math.max(this.pendingWords, (slot >>> 5) + 1)
    this.lists.liftPending(slot)
    return child
  }

  /** Admits every pending operation that may go after `node` before entering any of them. */
  private choosePending(node: Node<M>): PendingChoices<M> {
    const slots: Array<number> = []
    const models: Array<M> = []
    const latestCall = this.lists.firstReturnTime()
    const stamp = ++this.stamp
    for (let slot = this.lists.firstPending(); slot !== NONE; slot = this.lists.pendingAfter(slot)) {
      if (this.lists.pendingCalledAt(slot) > latestCall) break
      const kind = this.pendingClass[slot]!
      if (this.classSeen[kind] === stamp) continue
      this.classSeen[kind] = stamp
      const model = this.spec.apply(node.model, this.operations[this.pending[slot]!]!.input).model
      setBit(this.pendingBits, slot)
      const words = Math.max(this.pendingWords, (slot >>> 5) + 1)
      if (this.admit(this.frontier, this.highest, this.zobrist, words, model)) {
        slots.push(slot)
        models.push(model)
      }
      clearBit(this.pendingBits, slot)
    }
    node.choices = { slots, models }
    node.nextChoice = 0
    return node.choices
  }

  private admit(frontier: number, highest: number, zobrist: number, pendingWords: number, model: M): boolean {
    const c = this.scratch
    c.hash = mix(zobrist ^ Math.imul(this.hashModel(model), 0x9e3779b1))
    c.frontier = frontier
    c.fromWord = frontier >>> 5
    c.returnedWords = highest >= frontier ? (highest >>> 5) - c.fromWord + 1 : 0
    c.pendingWords = pendingWords
    c.model = model
    return this.memo.admit(c)
  }

  private undo(node: Node<M>): void {
    if (node.pending) {
      clearBit(this.pendingBits, node.slot)
      this.pendingWords = node.previousPendingWords
      this.lists.restorePending(node.slot)
      return
    }
    clearBit(this.returnedBits, node.slot)
    this.frontier = node.previousFrontier
    this.highest = node.previousHighest
    this.zobrist ^= this.keys[node.slot]!
    this.returnedLeft++
    this.lists.restoreReturned(node.slot)
  }

  private root(): Node<M> {
    const model = this.spec.init()
    this.admit(0, -1, 0, 0, model)
    return this.node(undefined, -1, -1, false, model, 0)
  }

  private child(parent: Node<M>, operation: number, slot: number, pending: boolean, model: M): Node<M> {
    return this.node(parent, operation, slot, pending, model, parent.linearizedReturned + (pending ? 0 : 1))
  }

  private node(parent: Node<M> | undefined, operation: number, slot: number, pending: boolean, model: M, linearizedReturned: number): Node<M> {
    this.explored++
    return {
      parent, operation, slot, pending, model, linearizedReturned,
      previousFrontier: this.frontier, previousHighest: this.highest, previousPendingWords: this.pendingWords,
      phase: TRY_RETURNED, cursor: NONE, choices: undefined, nextChoice: 0
    }
  }

  /** Keeps the deepest node at which a return forced the search back, and that return's operation. */
  private noteBlocked(node: Node<M>, slot: number): void {
    if (this.best !== undefined && node.linearizedReturned <= this.best.linearizedReturned) return
    this.best = node
    this.bestBlocked = this.returned[slot]!
  }

  private exhausted(): BudgetExhausted | undefined {
    if (this.limits.now() > this.limits.deadline) return "time"
    if (this.memo.bytes() > this.limits.maxMemoryBytes) return "memory"
    return undefined
  }

  private notLinearizable(): PartitionVerdict<M> {
    const best = this.best!
    return { _tag: "NotLinearizable", prefix: chain(best), blocked: this.bestBlocked, model: best.model, stats: this.stats() }
  }

  private unknown(reason: BudgetExhausted): PartitionVerdict<M> {
    const prefix = this.best === undefined ? [] : chain(this.best)
    const blocked = this.best === undefined ? undefined : this.bestBlocked
    return { _tag: "Unknown", reason, prefix, blocked, stats: this.stats() }
  }

  private stats(): SearchStats {
    return { explored: this.explored, memoEntries: this.memo.size, memoBytes: this.memo.bytes() }
  }
}

const returnedAt = (operation: Operation<unknown, unknown>): number =>
  operation.outcome._tag === "Returned" ? operation.outcome.returnedAt : Number.POSITIVE_INFINITY

/** The operations linearized on the way to `node`, first to last. */
const chain = <M>(node: Node<M>): Array<number> => {
  const order: Array<number> = []
  for (let at: Node<M> | undefined = node; at !== undefined && at.operation !== -1; at = at.parent) order.push(at.operation)
  return order.reverse()
}
