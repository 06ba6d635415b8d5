/**
 * The events a linearizability search has not linearized yet, in time order,
 * as doubly linked lists it lifts an operation out of and puts it back into
 * in last-out, first-in order (Knuth's dancing links, as in Porcupine): one
 * list of the calls and returns of the operations that returned, one of the
 * calls of the pending operations, which never return.
 *
 * Lowe's just-in-time rule reads off the first list: an operation may be
 * linearized next only if it was called before the first return still in it.
 */

const NONE = -1

export class EventLists {
  /** Returned operation i has its call at entry 2i and its return at 2i + 1; the head is entry 2n. */
  private readonly next: Int32Array
  private readonly previous: Int32Array
  private readonly head: number
  /** Pending operation j is entry j of the pending list; the head is entry m. */
  private readonly pendingNextOf: Int32Array
  private readonly pendingPrevious: Int32Array
  private readonly pendingHead: number
  private readonly returnTimes: Float64Array

  constructor(
    calls: ReadonlyArray<number>,
    returns: ReadonlyArray<number>,
    private readonly pendingCalls: ReadonlyArray<number>
  ) {
    const n = calls.length
    this.head = 2 * n
    this.next = new Int32Array(2 * n + 1)
    this.previous = new Int32Array(2 * n + 1)
    this.returnTimes = Float64Array.from(returns)
    const timeOf = (entry: number): number => ((entry & 1) === 0 ? calls[entry >> 1]! : returns[entry >> 1]!)
    // At the same instant a call goes first: the two operations count as concurrent.
    const order = Array.from({ length: 2 * n }, (_, entry) => entry).sort((a, b) => timeOf(a) - timeOf(b) || (a & 1) - (b & 1))
    link(this.next, this.previous, this.head, order)
    const m = pendingCalls.length
    this.pendingHead = m
    this.pendingNextOf = new Int32Array(m + 1)
    this.pendingPrevious = new Int32Array(m + 1)
    link(this.pendingNextOf, this.pendingPrevious, m, Array.from({ length: m }, (_, j) => j))
  }

  /** The first entry still in the returned list, or NONE when every returned operation is linearized. */
  first(): number {
    return this.next[this.head]!
  }

  after(entry: number): number {
    return this.next[entry]!
  }

  static isReturn(entry: number): boolean {
    return (entry & 1) === 1
  }

  static operationOf(entry: number): number {
    return entry >> 1
  }

  static readonly none = NONE

  /** The time of the first return still in the list: no operation called later may be linearized next. */
  firstReturnTime(): number {
    let entry = this.next[this.head]!
    while (entry !== NONE && (entry & 1) === 0) entry = this.next[entry]!
    return entry === NONE ? Number.POSITIVE_INFINITY : this.returnTimes[entry >> 1]!
  }

  liftReturned(i: number): void {
    unlink(this.next, this.previous, 2 * i)
    unlink(this.next, this.previous, 2 * i + 1)
  }

  restoreReturned(i: number): void {
    relink(this.next, this.previous, 2 * i + 1)
    relink(this.next, this.previous, 2 * i)
  }

  firstPending(): number {
    return this.pendingNextOf[this.pendingHead]!
  }

  /** The pending operation after `j` still in its list, or NONE. */
  pendingAfter(j: number): number {
    return this.pendingNextOf[j]!
  }

  pendingCalledAt(j: number): number {
    return this.pendingCalls[j]!
  }

  liftPending(j: number): void {
    unlink(this.pendingNextOf, this.pendingPrevious, j)
  }

  restorePending(j: number): void {
    relink(this.pendingNextOf, this.pendingPrevious, j)
  }
}

const link = (next: Int32Array, previous: Int32Array, head: number, order: ReadonlyArray<number>): void => {
  let last = head
  for (const entry of order) {
    next[last] = entry
    previous[entry] = last
    last = entry
  }
  next[last] = NONE
}

const unlink = (next: Int32Array, previous: Int32Array, entry: number): void => {
  const after = next[entry]!
  next[previous[entry]!] = after
  if (after !== NONE) previous[after] = previous[entry]!
}

/** Undoes the `unlink` of `entry`, valid while every later unlink has been undone first. */
const relink = (next: Int32Array, previous: Int32Array, entry: number): void => {
  const after = next[entry]!
  next[previous[entry]!] = entry
  if (after !== NONE) previous[after] = entry
}
