import { fingerprintInto, fingerprintWordsInto, isLiveness } from "@parley/core/model"
import type { Model, Property, StateCodec, TransitionProperty } from "@parley/core/model"
import { Level } from "./level.ts"
import type { LevelBuffers } from "./level.ts"
import { findLasso } from "./liveness.ts"
import { seededRandom } from "./random.ts"
import { replay } from "./replay.ts"
import { StateGraph } from "./state-graph.ts"
import type { GraphPart } from "./state-graph.ts"
import { StateTable } from "./state-table.ts"
import type { CheckOptions, CheckResult, Path, Progress, SearchPosition, Violation } from "./types.ts"

/**
 * Explores every state of a model reachable within its boundary, checking
 * each `always` property on each new state, as TLC and Stateright do.
 *
 * BFS goes level by level, so the first violation found has a shortest
 * counterexample; DFS keeps an explicit stack and finds deep states sooner.
 * Both store only fingerprints with parent links (see `StateTable`); the
 * frontier holds the live states still to expand. A model with liveness
 * properties also has its state graph kept (see `StateGraph`), and they are
 * checked on it once an exhaustive search ends (see `findLasso`).
 */
export const check = <S, A>(model: Model<S, A>, options: CheckOptions): CheckResult => {
  const search = new Search(model, options)
  return search.run()
}

/** Where the frontier keeps a state until it is expanded; `encoded` holds its words when the model has a codec. */
interface Frontier<S> {
  push(state: S, id: number, depth: number, encoded?: Uint32Array): void
  readonly size: number
}

const DEADLOCK = "Deadlock"
const DEFAULT_WALKS = 1000
const DEFAULT_WALK_LENGTH = 100
/** Two bits of `StateGraph.bits` per liveness property. */
const MAX_LIVENESS_PROPERTIES = 16
const PROGRESS_CHECK_EVERY = 1024
/** States a BFS or DFS expands between two pauses of `runInterruptibly`. */
const SLICE = 4096
const WALKS_PER_SLICE = 64

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

export interface SearchSummary {
  readonly generated: number
  readonly deepest: number
  readonly bounded: boolean
  /** Stopped on request before the search was done. */
  readonly interrupted: boolean
  /** Per `sometimes` property, the id of a first witness, or -1. */
  readonly witnesses: ReadonlyArray<number>
  readonly violation?: Violation
}

export class Search<S, A> {
  private readonly fingerprint = new Uint32Array(2)
  private readonly codec: StateCodec<S> | undefined
  /** The words of the state `admit` is looking at, when the model has a codec. */
  private readonly encoded: Uint32Array
  private readonly invariants: ReadonlyArray<Property<S>>
  private readonly reachability: ReadonlyArray<Property<S>>
  private readonly transitions: ReadonlyArray<TransitionProperty<S>>
  private readonly liveness: ReadonlyArray<Property<S>>
  private readonly symmetry: ((state: S, out: Uint32Array) => void) | undefined
  private readonly skippedLiveness: ReadonlyArray<string>
  private readonly graph: StateGraph | undefined
  private readonly initialIds: Array<number> = []
  /** The id of the state `admit` last met, or -1 when it was outside the boundary. */
  private lastTarget = -1
  /** For each `sometimes` property, the id of its first witness, or -1. */
  private readonly witnesses: Array<number>
  private readonly startedAt = performance.now()
  /** A resumed search's time before it was stopped. */
  private readonly elapsedBefore: number
  private stopRequested = false
  private interrupted = false
  /** Where the BFS stands: the level being expanded, from which state, and the next level so far. */
  private position: { depth: number; level: Level<S>; from: number; next: Level<S> }
  private lastProgressAt = this.startedAt
  private generated = 0
  private expanded = 0
  private deepest = 0
  private bounded = false
  private walksRun = 0
  private violation: Violation | undefined
  /**
   * With DFS under a depth bound, the depth each state was reached at: a
   * state first met deep is met again shallower later, and must then be
   * expanded again or what lies beyond it within the bound would be missed.
   */
  private depths: Uint32Array | undefined

  /**
   * `table` may be shared with other threads; then `afterExpand` is where a
   * thread joins the others when one of them finds the table `crowded`, and
   * `rehashWhenCrowded` must be false.
   */
  constructor(
    private readonly model: Model<S, A>,
    private readonly options: CheckOptions,
    private readonly table = new StateTable(),
    private readonly afterExpand?: () => void,
    private readonly rehashWhenCrowded = true
  ) {
    this.invariants = model.properties.filter((p) => p.kind === "always")
    this.reachability = model.properties.filter((p) => p.kind === "sometimes")
    this.witnesses = this.reachability.map(() => -1)
    this.transitions = model.transitions ?? []
    options.signal?.addEventListener("abort", () => this.requestStop(), { once: true })
    if (options.signal?.aborted === true) this.requestStop()
    this.codec = model.codec
    this.encoded = new Uint32Array(model.codec?.words ?? 0)
    this.position = { depth: 0, level: this.newLevel(), from: 0, next: this.newLevel() }
    if (options.symmetry === true && model.symmetryFingerprint === undefined) {
      throw new RangeError("symmetry reduction asked for, but the model declares no symmetry")
    }
    if (options.symmetry === true && options.liveness === true) {
      throw new RangeError("symmetry reduction and liveness do not go together: a reduced graph's cycles need not be real cycles")
    }
    this.symmetry = options.symmetry === true ? model.symmetryFingerprint!.bind(model) : undefined
    this.liveness = options.liveness === true ? model.properties.filter((p) => isLiveness(p.kind)) : []
    this.skippedLiveness = options.liveness === true ? [] : model.properties.filter((p) => isLiveness(p.kind)).map((p) => p.name)
    if (this.liveness.length > MAX_LIVENESS_PROPERTIES) {
      throw new RangeError(`the checker takes at most ${MAX_LIVENESS_PROPERTIES} liveness properties, got ${this.liveness.length}`)
    }
    this.graph = this.liveness.length > 0 ? new StateGraph() : undefined
    if (options.strategy === "dfs" && options.maxDepth !== undefined) this.depths = new Uint32Array(1024)
    const resume = options.resume
    this.elapsedBefore = resume?.elapsedMs ?? 0
    if (resume !== undefined) {
      if (options.strategy !== "bfs" || this.graph !== undefined) throw new RangeError("only a breadth-first search without liveness resumes")
      if (resume.witnesses.length !== this.witnesses.length) throw new RangeError("the checkpoint's sometimes properties are not the model's")
      this.generated = resume.generated
      this.deepest = resume.deepest
      resume.witnesses.forEach((id, i) => (this.witnesses[i] = id))
    }
  }

  run(): CheckResult {
    for (const _ of this.slices()) {
      // Run to the end; `runInterruptibly` is the one that pauses between slices.
    }
    return this.finish()
  }

  /** A `run` that lets the event loop turn between slices, so `requestStop` can come from a signal handler. */
  async runInterruptibly(): Promise<CheckResult> {
    for (const _ of this.slices()) await new Promise((resolve) => setImmediate(resolve))
    return this.finish()
  }

  /**
   * The search, pausing after every slice of work (`SLICE` states expanded,
   * or `WALKS_PER_SLICE` walks), so that an asynchronous caller can let the
   * event loop run (a Ctrl-C handler, say) between them.
   */
  private slices(): Generator<void, void> {
    if (this.options.strategy === "bfs") return this.breadthFirstSlices()
    if (this.options.strategy === "dfs") return this.depthFirstSlices()
    return this.randomWalkSlices()
  }

  /**
   * The search's result once it has run: liveness is checked on the graph
   * when the search was exhaustive. A parallel search whose main thread
   * searched alone to the end finishes it this way too.
   */
  finish(): CheckResult {
    if (this.violation === undefined && !this.bounded && !this.interrupted) this.checkLiveness()
    if (this.interrupted && this.options.strategy === "bfs") this.options.onStopped?.(this)
    return this.result()
  }

  /** Whether a stop was asked for; if so the search is marked interrupted and must return. */
  private stopping(): boolean {
    if (this.stopRequested) this.interrupted = true
    return this.stopRequested
  }

  private *breadthFirstSlices(): Generator<void, void> {
    let { level, next } = this.position
    let depth = 0
    const resume = this.options.resume
    if (resume !== undefined) {
      depth = resume.depth
      for (const id of resume.pending) level.push(this.rebuild(id), id)
      for (const id of resume.next) next.push(this.rebuild(id), id)
    } else if (!this.seed(level)) return
    while (level.size > 0) {
      for (let from = 0; from < level.size; from += SLICE) {
        if (!this.expandSlice(level, depth, next, from, Math.min(from + SLICE, level.size))) return
        yield
      }
      // The level just expanded is emptied and becomes the next one, keeping its buffers.
      level.clear()
      ;[level, next] = [next, level]
      depth++
      this.position = { depth, level, from: 0, next }
      this.options.onLevel?.(this)
    }
  }

  /** A state of the table rebuilt by replaying its path: how a resumed search gets its frontier back. */
  rebuild(id: number): S {
    const { initial, steps } = replay(this.model, this.table.pathTo(id))
    return steps.at(-1)?.state ?? initial
  }

  /** Asks a running search to stop after the state it is expanding; `snapshot` then says where it stood. */
  requestStop(): void {
    this.stopRequested = true
  }

  /**
   * Where a BFS stands, at a level's end or where it was stopped: the
   * unexpanded states of its level and the states of the next found so far,
   * by id. With the table, enough to go on (see `CheckOptions.resume`).
   */
  snapshot(): SearchSnapshot {
    const { depth, level, from, next } = this.position
    return this.snapshotOf(depth, level.idsFrom(from), next.idsFrom(0))
  }

  private snapshotOf(depth: number, pending: ReadonlyArray<number>, next: ReadonlyArray<number>): SearchSnapshot {
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

  /** The index, in the level it was expanding, of the state a stopped BFS did not expand. */
  get stoppedAt(): number {
    return this.position.from
  }

  /** Where the search stands when `level`, at `depth`, is all that is left to expand: a parallel search's position before it shares a level out. */
  atLevel(depth: number, level: Level<S>): SearchPosition {
    return {
      stateTable: this.table,
      snapshot: () => this.snapshotOf(depth, level.idsFrom(0), [])
    }
  }

  /** The part of the state graph this thread built, for a parallel search to merge; the graph is not used after. */
  graphPart(): GraphPart | undefined {
    return this.graph?.part()
  }

  get stateTable(): StateTable {
    return this.table
  }

  /** An empty BFS level for this model's states: kept as words when the model has a codec. */
  newLevel(shared?: LevelBuffers, rebuild?: (id: number) => S): Level<S> {
    return new Level(this.codec, shared, rebuild)
  }

  /** Bytes of the sequential BFS's two levels, which only grow: the frontier's peak. */
  get frontierBytes(): number {
    return this.position.level.bytes + this.position.next.bytes
  }

  /** Stores and checks the initial states, queueing them in `level`. False when the search must stop. */
  seed(level: Level<S>): boolean {
    return this.seedInitialStates(level)
  }

  /**
   * Expands every state of one BFS level into `next`. False when the search
   * must stop: a violation, or the state bound reached. Parallel workers each
   * run this on their share of a level.
   */
  expandLevel(level: Level<S>, depth: number, next: Level<S>): boolean {
    return this.expandSlice(level, depth, next, 0, level.size)
  }

  expandSlice(level: Level<S>, depth: number, next: Level<S>, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      if (this.stopping()) {
        this.position = { depth, level, from: i, next }
        return false
      }
      if (!this.expand(level.stateAt(i), level.idAt(i), depth, next, level.size - i)) return false
      this.afterExpand?.()
    }
    return true
  }

  /** What a worker reports of its share of the search. */
  summary(): SearchSummary {
    return {
      generated: this.generated,
      deepest: this.deepest,
      bounded: this.bounded,
      interrupted: this.interrupted,
      witnesses: this.witnesses.slice(),
      ...(this.violation === undefined ? {} : { violation: this.violation })
    }
  }

  private *depthFirstSlices(): Generator<void, void> {
    const states: Array<S> = []
    const ids: Array<number> = []
    const depths: Array<number> = []
    const frontier: Frontier<S> = {
      push: (state, id, depth) => {
        states.push(state)
        ids.push(id)
        depths.push(depth)
      },
      get size() {
        return states.length
      }
    }
    if (!this.seedInitialStates(frontier)) return
    for (let expanded = 1; states.length > 0; expanded++) {
      if (this.stopping()) return
      const state = states.pop()!
      if (!this.expand(state, ids.pop()!, depths.pop()!, frontier, 0)) return
      if (expanded % SLICE === 0) yield
    }
  }

  /**
   * Random walks, for configurations too large to exhaust: each walk starts
   * at a random initial state and takes a successor chosen uniformly among
   * those inside the boundary, until `maxDepth` steps or a state with none.
   * Every state met is stored, so distinct states are counted and a
   * violation's trace is a path of recorded steps, as in the other
   * strategies. A walk is drawn from the seed alone, so a seed reproduces it.
   */
  private *randomWalkSlices(): Generator<void, void> {
    const { model, options } = this
    const random = seededRandom(options.seed ?? 0)
    const walks = options.walks ?? DEFAULT_WALKS
    const length = options.maxDepth ?? DEFAULT_WALK_LENGTH
    const initial = model.init()
    const discard: Frontier<S> = { push: () => {}, size: 0 }
    const successors: Array<S> = []
    const indices: Array<number> = []
    this.bounded = true
    for (let walk = 0; walk < walks; walk++) {
      if (this.stopping()) return
      if (walk > 0 && walk % WALKS_PER_SLICE === 0) yield
      this.walksRun = walk + 1
      const initIndex = Math.floor(random() * initial.length)
      let state = initial[initIndex]!
      this.generated++
      if (!this.admit(state, -1, initIndex, 0, discard)) return
      let id = this.lastTarget
      for (let depth = 0; depth < length && id >= 0; depth++) {
        successors.length = 0
        indices.length = 0
        const actions = model.actions(state)
        let enabled = false
        for (let index = 0; index < actions.length; index++) {
          const next = model.next(state, actions[index]!)
          if (next === undefined) continue
          enabled = true
          if (model.within !== undefined && !model.within(next)) continue
          successors.push(next)
          indices.push(index)
        }
        if (!enabled && !this.endHolds(state, id)) return
        if (successors.length === 0) break
        const pick = Math.floor(random() * successors.length)
        const next = successors[pick]!
        this.generated++
        if (this.transitions.length > 0 && !this.stepHolds(state, next, id, indices[pick]!)) return
        if (!this.admit(next, id, indices[pick]!, depth + 1, discard)) return
        state = next
        id = this.lastTarget
        if ((++this.expanded & (PROGRESS_CHECK_EVERY - 1)) === 0) this.reportProgress(0, depth)
      }
    }
  }

  /** A state with no successor: a deadlock, when asked for and the model does not call it terminal. */
  private endHolds(state: S, id: number): boolean {
    if (this.options.deadlock !== true || (this.model.terminal?.(state) ?? false)) return true
    this.violation = { property: DEADLOCK, kind: "deadlock", path: this.table.pathTo(id) }
    return false
  }

  private seedInitialStates(frontier: Frontier<S>): boolean {
    const initial = this.model.init()
    for (let index = 0; index < initial.length; index++) {
      const state = initial[index]!
      this.generated++
      if (!this.admit(state, -1, index, 0, frontier)) return false
      if (this.lastTarget >= 0) this.initialIds.push(this.lastTarget)
    }
    return true
  }

  /**
   * Generates the successors of one state. Returns false when the search must
   * stop: a violation, or the state bound reached.
   */
  private expand(state: S, id: number, depth: number, frontier: Frontier<S>, pendingInLevel: number): boolean {
    const { model, options } = this
    if (options.maxDepth !== undefined && depth >= options.maxDepth) {
      if (!this.bounded && this.hasSuccessor(state)) this.bounded = true
      return true
    }
    const actions = model.actions(state)
    const graph = this.graph
    graph?.beginState(id)
    let enabled = false
    for (let index = 0; index < actions.length; index++) {
      const next = model.next(state, actions[index]!)
      if (next === undefined) continue
      enabled = true
      this.generated++
      if (this.transitions.length > 0 && !this.stepHolds(state, next, id, index)) return false
      if (!this.admit(next, id, index, depth + 1, frontier)) return false
      graph?.addEdge(id, this.lastTarget, index, model.fairness?.(state, actions[index]!))
    }
    if (!enabled && !this.endHolds(state, id)) return false
    if ((++this.expanded & (PROGRESS_CHECK_EVERY - 1)) === 0) this.reportProgress(frontier.size + pendingInLevel, depth)
    return true
  }

  /**
   * Checks the transition properties on one step inside the boundary. The
   * successor may have been stored with another parent, so the violation's
   * path is the path to `state` and then this action.
   */
  private stepHolds(state: S, next: S, id: number, action: number): boolean {
    const { model } = this
    if (model.within !== undefined && !model.within(next)) return true
    for (const property of this.transitions) {
      if (!property.holds(state, next)) {
        const path = this.table.pathTo(id)
        this.violation = { property: property.name, kind: "always", path: { ...path, actionIndices: [...path.actionIndices, action] } }
        return false
      }
    }
    return true
  }

  /** Stores a state if it is new and inside the boundary, checks it, and queues it. */
  private admit(state: S, parent: number, action: number, depth: number, frontier: Frontier<S>): boolean {
    const { model, options, table } = this
    this.lastTarget = -1
    if (model.within !== undefined && !model.within(state)) return true
    const codec = this.codec
    if (codec !== undefined) codec.encode(state, this.encoded, 0)
    if (this.symmetry !== undefined) this.symmetry(state, this.fingerprint)
    else if (codec !== undefined) fingerprintWordsInto(this.encoded, 0, codec.words, this.fingerprint, 0)
    else fingerprintInto(state, this.fingerprint, 0)
    const id = table.insert(this.fingerprint[0]!, this.fingerprint[1]!, parent, action)
    this.lastTarget = id < 0 ? ~id : id
    if (id < 0) return this.revisit(state, ~id, parent, action, depth, frontier)
    if (this.rehashWhenCrowded && table.crowded) table.rehash()
    this.recordDepth(id, depth)
    if (this.graph !== undefined) this.graph.setBits(id, this.livenessBits(state))
    if (depth > this.deepest) this.deepest = depth
    for (const property of this.invariants) {
      if (!property.holds(state)) {
        this.violation = { property: property.name, kind: "always", path: table.pathTo(id) }
        return false
      }
    }
    for (let i = 0; i < this.reachability.length; i++) {
      if (this.witnesses[i] === -1 && this.reachability[i]!.holds(state)) this.witnesses[i] = id
    }
    if (options.maxStates !== undefined && table.size >= options.maxStates) {
      this.bounded = true
      return false
    }
    frontier.push(state, id, depth, codec === undefined ? undefined : this.encoded)
    return true
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

  /**
   * Checks each liveness property on `graph`, of states with ids below
   * `stateCount`: this search's own graph, or the whole graph of a parallel
   * search, merged from every thread's part. The first violated one becomes
   * the violation.
   */
  checkLiveness(graph = this.graph, stateCount = this.table.size): void {
    if (graph === undefined) return
    for (let i = 0; i < this.liveness.length; i++) {
      const property = this.liveness[i]!
      const lasso = findLasso(graph, {
        goalBit: 2 * i,
        premiseBit: property.kind === "leadsTo" ? 2 * i + 1 : undefined,
        initialStates: this.initialIds,
        stateCount
      })
      if (lasso === undefined) continue
      const prefix = this.table.pathTo(lasso.from)
      const actionIndices = [...prefix.actionIndices, ...lasso.stem, ...lasso.cycle]
      this.violation = {
        property: property.name,
        kind: property.kind === "leadsTo" ? "leadsTo" : "eventually",
        path: { initIndex: prefix.initIndex, actionIndices },
        loopStart: prefix.actionIndices.length + lasso.stem.length
      }
      return
    }
  }

  /** A state seen before, now reached at a smaller depth, is expanded again from there. */
  private revisit(state: S, id: number, parent: number, action: number, depth: number, frontier: Frontier<S>): boolean {
    const depths = this.depths
    if (depths === undefined || depth >= depths[id]!) return true
    depths[id] = depth
    this.table.reparent(id, parent, action)
    frontier.push(state, id, depth)
    return true
  }

  private recordDepth(id: number, depth: number): void {
    if (this.depths === undefined) return
    if (id >= this.depths.length) {
      const grown = new Uint32Array(this.depths.length * 2)
      grown.set(this.depths)
      this.depths = grown
    }
    this.depths[id] = depth
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

  result(): CheckResult {
    const elapsedMs = this.elapsedBefore + performance.now() - this.startedAt
    const reached: Array<{ property: string; path: Path }> = []
    const unreached: Array<string> = []
    this.reachability.forEach((property, i) => {
      const witness = this.witnesses[i]!
      if (witness === -1) unreached.push(property.name)
      else reached.push({ property: property.name, path: this.table.pathTo(witness) })
    })
    return {
      result: this.violation !== undefined ? "violation" : this.bounded || this.interrupted ? "bounded" : "ok",
      ...(this.interrupted ? { interrupted: true } : {}),
      ...(this.violation === undefined ? {} : { violation: this.violation }),
      distinctStates: this.table.size,
      generatedStates: this.generated,
      maxDepth: this.deepest,
      elapsedMs,
      statesPerSec: rate(this.table.size, elapsedMs),
      reached,
      unreached,
      tableBytes: this.table.bytes,
      ...(this.codec !== undefined && this.options.strategy === "bfs" ? { frontierBytes: this.frontierBytes } : {}),
      ...(this.options.strategy === "sim" ? { walks: this.walksRun } : {}),
      livenessUnchecked: [...this.skippedLiveness, ...(this.bounded || this.interrupted ? this.liveness.map((p) => p.name) : [])]
    }
  }
}

const rate = (states: number, elapsedMs: number): number => elapsedMs > 0 ? (states * 1000) / elapsedMs : 0
