import { fingerprintInto, fingerprintWordsInto, isLiveness } from "@parley/core/model"
import type { Model, Property, StateCodec, TransitionProperty } from "@parley/core/model"
import { encodedStepsOf } from "./encoded-steps.ts"
import type { EncodedSteps } from "./encoded-steps.ts"
import { livenessViolation } from "./liveness.ts"
import { partialOrderOf, SleepSets } from "./sleep-sets.ts"
import { StateGraph } from "./state-graph.ts"
import type { GraphPart } from "./state-graph.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult, Path, Progress, SearchSnapshot, Violation } from "./types.ts"

/**
 * Where a strategy keeps a state until it is expanded; `encoded` holds its
 * words when the model has a codec. `revisit` hears of a state met again,
 * for a strategy that may expand it once more (DFS under a depth bound).
 */
export interface Frontier<S> {
  push(state: S, id: number, depth: number, encoded?: Uint32Array): void
  readonly size: number
  revisit?(state: S, id: number, parent: number, action: number, depth: number): void
}

/** What a thread of a parallel search reports of its share of the search. */
export interface SearchSummary {
  readonly generated: number
  /** Steps not taken because partial-order reduction put them asleep. */
  readonly skipped: number
  readonly deepest: number
  readonly bounded: boolean
  /** Stopped on request before the search was done. */
  readonly interrupted: boolean
  /** Per `sometimes` property, the id of a first witness, or -1. */
  readonly witnesses: ReadonlyArray<number>
  readonly violation?: Violation
}

/** A strategy as `Search` runs it: the search in slices (see `Search.runInterruptibly`), then its result. */
export interface StrategyRun {
  slices(): Generator<void, void>
  finish(): CheckResult
}

/** What only one strategy adds to a result. */
export type StrategyFigures = Pick<CheckResult, "frontierBytes" | "walks">

/** A model's steps as words, and its codec's fingerprint of them. */
interface ByWords<S, A> {
  readonly steps: EncodedSteps<S, A>
  readonly fingerprint: NonNullable<StateCodec<S>["fingerprint"]>
}

const DEADLOCK = "Deadlock"
/** What `stepWords` did: no successor, a step after which the search must stop, or one after which it goes on. */
const NO_STEP = 0
const STOP = 1
const GO_ON = 2
const PROGRESS_CHECK_EVERY = 1024

/**
 * The bookkeeping every strategy shares, as TLC and Stateright keep it: the
 * table of fingerprints with parent links (see `StateTable`), the properties
 * checked on each new state and step, the counts, the violation, and the
 * result with its counterexample paths. A strategy decides only which state
 * to expand next; `admit` and `expand` do the rest.
 *
 * A model with liveness properties also has its state graph kept (see
 * `StateGraph`); they are checked on it once an exhaustive search ends.
 */
export class Exploration<S, A> {
  private readonly fingerprint = new Uint32Array(2)
  private readonly codec: StateCodec<S> | undefined
  /** The words of the state `admit` is looking at, when the model has a codec. */
  private readonly encoded: Uint32Array
  private readonly invariants: ReadonlyArray<Property<S>>
  private readonly reachability: ReadonlyArray<Property<S>>
  private readonly transitions: ReadonlyArray<TransitionProperty<S>>
  private readonly liveness: ReadonlyArray<Property<S>>
  private readonly skippedLiveness: ReadonlyArray<string>
  private readonly symmetry: ((state: S, out: Uint32Array) => void) | undefined
  private readonly graph: StateGraph | undefined
  /** Steps taken as words, for a model with a codec that can (see `EncodedSteps`), without symmetry, which reads live states; with the codec's fingerprint. */
  private readonly byWords: ByWords<S, A> | undefined
  /** The live successor `stepWords` built last, if any: what sleep sets are told of a step taken. */
  private lastNext: S | undefined
  /** Partial-order reduction, when it is on (see `usesPartialOrder`). */
  private readonly sleep: SleepSets<S, A> | undefined
  private readonly initialIds: Array<number> = []
  /** For each `sometimes` property, the id of its first witness, or -1. */
  private readonly witnesses: Array<number>
  private readonly startedAt = performance.now()
  /** A resumed search's time before it was stopped. */
  private readonly elapsedBefore: number
  private lastProgressAt = this.startedAt
  private stopRequested = false
  private expanded = 0
  /** The id of the state `admit` last met, or -1 when it was outside the boundary. */
  lastTarget = -1
  /** Whether `admit` stored that state for the first time. */
  private lastStored = false
  generated = 0
  deepest = 0
  /** A bound cut the search short: the result can be no better than `bounded`. */
  bounded = false
  interrupted = false
  violation: Violation | undefined

  /**
   * `table` may be shared with other threads; then `joinRehash` is called
   * between two states, where this thread joins the others when one of them
   * finds the table crowded, and this thread never rehashes on its own.
   * The options are taken as valid (see `validateCheckOptions`).
   */
  constructor(
    readonly model: Model<S, A>,
    readonly options: CheckOptions,
    readonly table = new StateTable(),
    readonly joinRehash?: () => void
  ) {
    const properties = model.properties
    this.invariants = properties.filter((p) => p.kind === "always")
    this.reachability = properties.filter((p) => p.kind === "sometimes")
    this.transitions = model.transitions ?? []
    this.liveness = options.liveness === true ? properties.filter((p) => isLiveness(p.kind)) : []
    this.skippedLiveness = options.liveness === true ? [] : properties.filter((p) => isLiveness(p.kind)).map((p) => p.name)
    this.graph = this.liveness.length > 0 ? new StateGraph() : undefined
    this.codec = model.codec
    this.encoded = new Uint32Array(model.codec?.words ?? 0)
    const symmetryFingerprint = model.symmetryFingerprint
    this.symmetry = options.symmetry === true && symmetryFingerprint !== undefined ? symmetryFingerprint.bind(model) : undefined
    const encodedSteps = this.symmetry === undefined ? encodedStepsOf(model) : undefined
    const wordsFingerprint = this.codec?.fingerprint
    this.byWords = encodedSteps === undefined || wordsFingerprint === undefined ? undefined : { steps: encodedSteps, fingerprint: wordsFingerprint }
    const order = usesPartialOrder(options) ? partialOrderOf(model) : undefined
    this.sleep = order === undefined ? undefined : new SleepSets(order, () => this.table.size)
    options.signal?.addEventListener("abort", () => this.requestStop(), { once: true })
    if (options.signal?.aborted === true) this.requestStop()
    const resume = options.resume
    this.elapsedBefore = resume?.elapsedMs ?? 0
    this.generated = resume?.generated ?? 0
    this.deepest = resume?.deepest ?? 0
    this.witnesses = resume?.witnesses.slice() ?? this.reachability.map(() => -1)
  }

  /** Asks a running search to stop after the state it is expanding. */
  requestStop(): void {
    this.stopRequested = true
  }

  /** Whether a stop was asked for; if so the search is marked interrupted and must return. */
  stopping(): boolean {
    if (this.stopRequested) this.interrupted = true
    return this.stopRequested
  }

  /** Stores and checks the initial states, queueing them in `frontier`. False when the search must stop. */
  seed(frontier: Frontier<S>): boolean {
    const initial = this.model.init()
    for (let index = 0; index < initial.length; index++) {
      this.generated++
      if (!this.admit(initial[index]!, -1, index, 0, frontier)) return false
      if (this.lastTarget >= 0) this.initialIds.push(this.lastTarget)
    }
    return true
  }

  /**
   * Generates the successors of one state into `frontier`. False when the
   * search must stop: a violation, or the state bound reached.
   * `pendingInLevel` counts the states queued elsewhere, for progress reports.
   */
  expand(state: S, id: number, depth: number, frontier: Frontier<S>, pendingInLevel: number): boolean {
    const { model, options, graph } = this
    if (options.maxDepth !== undefined && depth >= options.maxDepth) {
      if (!this.bounded && this.hasSuccessor(state)) this.bounded = true
      return true
    }
    const actions = model.actions(state)
    const { sleep } = this
    graph?.beginState(id)
    sleep?.begin(state, id, depth, actions)
    let enabled = false
    for (let index = 0; index < actions.length; index++) {
      if (sleep?.asleep(index) === true) {
        // Enabled, as a step asleep commutes with the one that led here; not taken, but a step property still sees it.
        enabled = true
        if (this.transitions.length > 0 && !this.asleepStepHolds(state, actions[index]!, id, index)) return false
        continue
      }
      let next: S | undefined
      if (this.byWords !== undefined) {
        const outcome = this.stepWords(this.byWords, state, actions[index]!, id, index, depth, frontier)
        if (outcome === NO_STEP) continue
        enabled = true
        if (outcome === STOP) return false
        next = this.lastNext
      } else {
        next = model.next(state, actions[index]!)
        if (next === undefined) continue
        enabled = true
        this.generated++
        if (!this.step(state, next, id, index, depth, frontier)) return false
      }
      if (sleep !== undefined && this.lastTarget >= 0) sleep.taken(index, next!, this.lastTarget, this.lastStored)
      graph?.addEdge(id, this.lastTarget, index, model.fairness?.(state, actions[index]!))
    }
    sleep?.end()
    if (!enabled && !this.endHolds(state, id)) return false
    if ((++this.expanded & (PROGRESS_CHECK_EVERY - 1)) === 0) this.reportProgress(frontier.size + pendingInLevel, depth)
    return true
  }

  /**
   * Checks one step to a successor and admits it. The boundary is asked
   * once a step, both the step's and the state's checks needing it, and
   * not at all for a successor stored before: only states inside the
   * boundary are stored, and most successors were met before.
   */
  private step(state: S, next: S, id: number, action: number, depth: number, frontier: Frontier<S>): boolean {
    const { model } = this
    if (model.within === undefined) {
      if (this.transitions.length > 0 && !this.stepHolds(state, next, id, action, true)) return false
      return this.admit(next, id, action, depth + 1, frontier, true)
    }
    this.fingerprintOf(next)
    const known = this.table.find(this.fingerprint[0]!, this.fingerprint[1]!)
    const inside = known >= 0 || model.within(next)
    if (this.transitions.length > 0 && !this.stepHolds(state, next, id, action, inside)) return false
    if (known < 0) return this.admit(next, id, action, depth + 1, frontier, inside, true)
    // Met before: what `admit` does with a state the table already holds.
    this.lastTarget = known
    this.lastStored = false
    frontier.revisit?.(next, known, id, action, depth + 1)
    return true
  }

  /**
   * `step` for a step taken as words: the successor is looked up by the
   * fingerprint of its words, and built live only when something reads
   * it: the boundary and the properties of a state not met before, the
   * step properties, sleep sets and a strategy that revisits states. Its
   * words' parts get ids only when it is stored. (A lighter view of a
   * successor, a class whose network is built when read, would spare most
   * of that, but predicates may fingerprint or compare what they are given,
   * which takes plain data.)
   */
  private stepWords(
    byWords: ByWords<S, A>,
    state: S,
    action: A,
    id: number,
    index: number,
    depth: number,
    frontier: Frontier<S>
  ): number {
    const { encoded, fingerprint, model } = this
    const { steps } = byWords
    this.lastNext = undefined
    if (!steps.nextInto(state, action, encoded)) return NO_STEP
    this.generated++
    byWords.fingerprint(encoded, 0, fingerprint)
    const known = this.table.find(fingerprint[0]!, fingerprint[1]!)
    if (known >= 0) {
      this.lastTarget = known
      this.lastStored = false
      if (this.transitions.length === 0 && this.sleep === undefined && frontier.revisit === undefined) return GO_ON
      const next = (this.lastNext = steps.live(encoded))
      if (this.transitions.length > 0 && !this.stepHolds(state, next, id, index, true)) return STOP
      frontier.revisit?.(next, known, id, index, depth + 1)
      return GO_ON
    }
    const next = (this.lastNext = steps.live(encoded))
    const inside = model.within === undefined || model.within(next)
    if (this.transitions.length > 0 && !this.stepHolds(state, next, id, index, inside)) return STOP
    if (inside) steps.commit(encoded)
    return this.admit(next, id, index, depth + 1, frontier, inside, true) ? GO_ON : STOP
  }

  /** A step asleep, computed only for the step properties to see it. */
  private asleepStepHolds(state: S, action: A, id: number, index: number): boolean {
    const next = this.model.next(state, action)
    return next === undefined || this.stepHolds(state, next, id, index)
  }

  /** Whether `state` is stored already, without storing it: for walks that prefer states not met yet (`simulation.ts`). */
  isStored(state: S): boolean {
    this.fingerprintOf(state)
    return this.table.find(this.fingerprint[0]!, this.fingerprint[1]!) >= 0
  }

  /** Writes the fingerprint of `state` (and, with a codec, its words) where `admit` reads them. */
  private fingerprintOf(state: S): void {
    const { codec } = this
    if (codec !== undefined) codec.encode(state, this.encoded, 0)
    if (this.symmetry !== undefined) this.symmetry(state, this.fingerprint)
    else if (codec?.fingerprint !== undefined) codec.fingerprint(this.encoded, 0, this.fingerprint)
    else if (codec !== undefined) fingerprintWordsInto(this.encoded, 0, codec.words, this.fingerprint, 0)
    else fingerprintInto(state, this.fingerprint, 0)
  }

  /**
   * Stores a state if it is new and inside the boundary (`inside`, when the
   * caller asked already), checks it, and queues it; `lastTarget` is then
   * its id. `fingerprinted`: the caller wrote its fingerprint already (see
   * `fingerprintOf`). False when the search must stop.
   */
  admit(state: S, parent: number, action: number, depth: number, frontier: Frontier<S>, inside?: boolean, fingerprinted = false): boolean {
    const { model, options, table, codec } = this
    this.lastTarget = -1
    this.lastStored = false
    if (!(inside ?? (model.within === undefined || model.within(state)))) return true
    if (!fingerprinted) this.fingerprintOf(state)
    const id = table.insert(this.fingerprint[0]!, this.fingerprint[1]!, parent, action)
    if (id < 0) {
      this.lastTarget = ~id
      frontier.revisit?.(state, ~id, parent, action, depth)
      return true
    }
    this.lastTarget = id
    this.lastStored = true
    if (this.joinRehash === undefined && table.crowded) table.rehash()
    if (this.graph !== undefined) this.graph.setBits(id, this.livenessBits(state))
    if (depth > this.deepest) this.deepest = depth
    if (!this.stateHolds(state, id)) return false
    if (options.maxStates !== undefined && table.size >= options.maxStates) {
      this.bounded = true
      return false
    }
    frontier.push(state, id, depth, codec === undefined ? undefined : this.encoded)
    return true
  }

  /** Checks the invariants on a new state and notes the `sometimes` properties it is a first witness of. */
  private stateHolds(state: S, id: number): boolean {
    for (const property of this.invariants) {
      if (!property.holds(state)) {
        this.violation = { property: property.name, kind: "always", path: this.table.pathTo(id) }
        return false
      }
    }
    for (let i = 0; i < this.reachability.length; i++) {
      if (this.witnesses[i] === -1 && this.reachability[i]!.holds(state)) this.witnesses[i] = id
    }
    return true
  }

  /**
   * Checks the transition properties on one step inside the boundary
   * (`inside`, when the caller asked already). The
   * successor may have been stored with another parent, so the violation's
   * path is the path to `state` and then this action.
   */
  stepHolds(state: S, next: S, id: number, action: number, inside?: boolean): boolean {
    const { model } = this
    if (this.transitions.length === 0 || !(inside ?? (model.within === undefined || model.within(next)))) return true
    for (const property of this.transitions) {
      if (!property.holds(state, next)) {
        const path = this.table.pathTo(id)
        this.violation = { property: property.name, kind: "always", path: { ...path, actionIndices: [...path.actionIndices, action] } }
        return false
      }
    }
    return true
  }

  /** A state with no successor: a deadlock, when asked for and the model does not call it terminal. */
  endHolds(state: S, id: number): boolean {
    if (this.options.deadlock !== true || (this.model.terminal?.(state) ?? false)) return true
    this.violation = { property: DEADLOCK, kind: "deadlock", path: this.table.pathTo(id) }
    return false
  }

  /** Whether the depth bound hides anything: a successor inside the boundary. */
  private hasSuccessor(state: S): boolean {
    const { model } = this
    for (const action of model.actions(state)) {
      const next = model.next(state, action)
      if (next !== undefined && (model.within === undefined || model.within(next))) return true
    }
    return false
  }

  private livenessBits(state: S): number {
    let bits = 0
    for (let i = 0; i < this.liveness.length; i++) {
      const property = this.liveness[i]!
      if (property.holds(state)) bits |= 1 << (2 * i)
      if (property.premise?.(state) === true) bits |= 1 << (2 * i + 1)
    }
    return bits
  }

  /** Counts one more state expanded, reporting progress now and then with `queued` states waiting. */
  countExpanded(queued: number, depth: number): void {
    if ((++this.expanded & (PROGRESS_CHECK_EVERY - 1)) === 0) this.reportProgress(queued, depth)
  }

  private reportProgress(queued: number, depth: number): void {
    const { onProgress, progressIntervalMs = 1000 } = this.options
    if (onProgress === undefined) return
    const now = performance.now()
    if (now - this.lastProgressAt < progressIntervalMs) return
    this.lastProgressAt = now
    const progress: Progress = {
      distinctStates: this.table.size,
      generatedStates: this.generated,
      queued,
      depth,
      elapsedMs: now - this.startedAt,
      statesPerSec: rate(this.table.size, now - this.startedAt)
    }
    onProgress(progress)
  }

  /**
   * Checks the liveness properties on `graph`, of states with ids below
   * `stateCount`: this search's own graph, or the whole graph of a parallel
   * search, merged from every thread's part. The first violated one becomes
   * the violation.
   */
  checkLiveness(graph = this.graph, stateCount = this.table.size): void {
    if (graph === undefined) return
    this.violation = livenessViolation(graph, this.liveness, this.initialIds, stateCount, (id) => this.table.pathTo(id))
  }

  /** The part of the state graph this thread built, for a parallel search to merge; the graph is not used after. */
  graphPart(): GraphPart | undefined {
    return this.graph?.part()
  }

  /** Where a BFS stands with `pending` states of level `depth` and `next` of the one after it: see `SearchSnapshot`. */
  snapshot(depth: number, pending: ReadonlyArray<number>, next: ReadonlyArray<number>): SearchSnapshot {
    return {
      depth,
      pending,
      next,
      generated: this.generated,
      deepest: this.deepest,
      witnesses: this.witnesses.slice(),
      elapsedMs: this.elapsedBefore + performance.now() - this.startedAt
    }
  }

  /** What a thread reports of its share of the search. */
  summary(): SearchSummary {
    return {
      generated: this.generated,
      skipped: this.sleep?.skipped ?? 0,
      deepest: this.deepest,
      bounded: this.bounded,
      interrupted: this.interrupted,
      witnesses: this.witnesses.slice(),
      ...(this.violation === undefined ? {} : { violation: this.violation })
    }
  }

  /** The result once the search has run: liveness is checked on the graph when the search was exhaustive. */
  finish(figures: StrategyFigures = {}): CheckResult {
    if (this.violation === undefined && !this.bounded && !this.interrupted) this.checkLiveness()
    return this.result(figures)
  }

  result(figures: StrategyFigures = {}): CheckResult {
    const elapsedMs = this.elapsedBefore + performance.now() - this.startedAt
    const reached: Array<{ property: string; path: Path }> = []
    const unreached: Array<string> = []
    this.reachability.forEach((property, i) => {
      const witness = this.witnesses[i]!
      if (witness === -1) unreached.push(property.name)
      else reached.push({ property: property.name, path: this.table.pathTo(witness) })
    })
    const cutShort = this.bounded || this.interrupted
    return {
      result: this.violation !== undefined ? "violation" : cutShort ? "bounded" : "ok",
      ...(this.interrupted ? { interrupted: true } : {}),
      ...(this.violation === undefined ? {} : { violation: this.violation }),
      distinctStates: this.table.size,
      generatedStates: this.generated,
      ...(this.sleep === undefined ? {} : { skippedTransitions: this.sleep.skipped }),
      maxDepth: this.deepest,
      elapsedMs,
      statesPerSec: rate(this.table.size, elapsedMs),
      reached,
      unreached,
      tableBytes: this.table.bytes,
      ...figures,
      livenessUnchecked: [...this.skippedLiveness, ...(cutShort ? this.liveness.map((p) => p.name) : [])]
    }
  }
}

/** Whether a search with these options reduces by sleep sets, when its model declares which steps commute (see `CheckOptions.partialOrder`). */
export const usesPartialOrder = (options: CheckOptions): boolean => options.partialOrder === true && options.strategy === "bfs" && options.liveness !== true

export const rate = (states: number, elapsedMs: number): number => (elapsedMs > 0 ? (states * 1000) / elapsedMs : 0)
