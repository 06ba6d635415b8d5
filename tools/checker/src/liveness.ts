import type { Property } from "@parley/core/model"
import type { StateGraph } from "./state-graph.ts"
import type { Path, Violation } from "./types.ts"

/**
 * A fair behaviour that never reaches a goal state, as a lasso: from state
 * `from` (an initial state, or one satisfying the premise), the actions of
 * `stem` lead to a state from which `cycle` returns to it and repeats
 * forever. An empty `cycle` means the system may stay in that state forever:
 * no fair action is enabled there.
 */
export interface Lasso {
  readonly from: number
  readonly stem: ReadonlyArray<number>
  readonly cycle: ReadonlyArray<number>
}

/** Which states a liveness property starts from, and which satisfy its goal. */
export interface LivenessQuery {
  readonly goalBit: number
  /** The premise's bit, or undefined for `eventually`, which starts from the initial states. */
  readonly premiseBit: number | undefined
  readonly initialStates: ReadonlyArray<number>
  readonly stateCount: number
}

/**
 * The first of `properties` (liveness ones, property `i` with bits `2i` and
 * `2i + 1` in the graph) that a fair lasso breaks, as a violation whose path
 * runs from an initial state through the lasso's stem and cycle; or
 * undefined when each holds. `graph` holds states with ids below `stateCount`.
 */
export const livenessViolation = <S>(
  graph: StateGraph,
  properties: ReadonlyArray<Property<S>>,
  initialStates: ReadonlyArray<number>,
  stateCount: number,
  pathTo: (id: number) => Path
): Violation | undefined => {
  for (let i = 0; i < properties.length; i++) {
    const property = properties[i]!
    const lasso = findLasso(graph, {
      goalBit: 2 * i,
      premiseBit: property.kind === "leadsTo" ? 2 * i + 1 : undefined,
      initialStates,
      stateCount
    })
    if (lasso === undefined) continue
    const prefix = pathTo(lasso.from)
    return {
      property: property.name,
      kind: property.kind === "leadsTo" ? "leadsTo" : "eventually",
      path: { initIndex: prefix.initIndex, actionIndices: [...prefix.actionIndices, ...lasso.stem, ...lasso.cycle] },
      loopStart: prefix.actionIndices.length + lasso.stem.length
    }
  }
  return undefined
}

/**
 * Finds a fair lasso that avoids the goal, or undefined when every fair
 * behaviour from every start reaches it, as TLC does for `~>` under weak
 * fairness: restrict the graph to the states that do not satisfy the goal and
 * are reachable from a start without passing one that does; then a state
 * there with no fair action enabled is a lasso of its own, and so is each
 * strongly connected component in which every fairness class enabled in all
 * of its states is taken by one of its own edges.
 */
export const findLasso = (graph: StateGraph, query: LivenessQuery): Lasso | undefined => {
  const region = exploreRegion(graph, query)
  for (const id of region.order) {
    if (!hasFairAction(graph, id)) return { from: region.startOf(id), stem: region.stemTo(id), cycle: [] }
  }
  const component = fairComponent(graph, region)
  if (component === undefined) return undefined
  const entry = component.members.reduce((best, id) => (region.rank[id]! < region.rank[best]! ? id : best))
  return { from: region.startOf(entry), stem: region.stemTo(entry), cycle: fairCycle(graph, component, entry) }
}

interface Region {
  /** The region's states in breadth-first order from the starts. */
  readonly order: ReadonlyArray<number>
  /** Per state: its place in `order`, or -1 outside the region. */
  readonly rank: Int32Array
  startOf(id: number): number
  /** The actions from the state's start to it, shortest first. */
  stemTo(id: number): ReadonlyArray<number>
}

const exploreRegion = (graph: StateGraph, query: LivenessQuery): Region => {
  const { bits, first, count, targets, actions } = graph
  const goal = 1 << query.goalBit
  const inGoal = (id: number) => (bits[id]! & goal) !== 0
  const rank = new Int32Array(query.stateCount).fill(-1)
  /** Per state: the edge it was reached by, or -1 for a start. */
  const via = new Int32Array(query.stateCount).fill(-1)
  const source = new Int32Array(query.stateCount)
  const order: Array<number> = []
  const enter = (id: number, edge: number, from: number) => {
    rank[id] = order.length
    via[id] = edge
    source[id] = from
    order.push(id)
  }
  if (query.premiseBit === undefined) {
    for (const id of query.initialStates) if (!inGoal(id) && rank[id] === -1) enter(id, -1, -1)
  } else {
    const premise = 1 << query.premiseBit
    for (let id = 0; id < query.stateCount; id++) if ((bits[id]! & premise) !== 0 && !inGoal(id)) enter(id, -1, -1)
  }
  for (let head = 0; head < order.length; head++) {
    const id = order[head]!
    for (let edge = first[id]!, end = edge + count[id]!; edge < end; edge++) {
      const target = targets[edge]!
      if (target >= 0 && rank[target] === -1 && !inGoal(target)) enter(target, edge, id)
    }
  }
  return {
    order,
    rank,
    startOf: (id) => {
      let current = id
      while (via[current] !== -1) current = source[current]!
      return current
    },
    stemTo: (id) => {
      const stem: Array<number> = []
      for (let current = id; via[current] !== -1; current = source[current]!) stem.push(actions[via[current]!]!)
      return stem.reverse()
    }
  }
}

const hasFairAction = (graph: StateGraph, id: number): boolean => {
  for (let edge = graph.first[id]!, end = edge + graph.count[id]!; edge < end; edge++) {
    if (graph.classes[edge]! >= 0) return true
  }
  return false
}

interface Component {
  readonly members: ReadonlyArray<number>
  /** Per state: whether it is a member. */
  readonly contains: (id: number) => boolean
  /** The fairness classes enabled in every member: a fair cycle takes each. */
  readonly required: ReadonlyArray<number>
}

/**
 * Tarjan's strongly connected components of the region, iteratively (a
 * component can be millions of states deep), returning the first whose
 * every always-enabled fairness class is taken inside it.
 */
const fairComponent = (graph: StateGraph, region: Region): Component | undefined => {
  const { first, count, targets } = graph
  const n = region.rank.length
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const nextEdge = new Int32Array(n)
  const component = new Int32Array(n).fill(-1)
  const onStack = new Uint8Array(n)
  const stack: Array<number> = []
  const calls: Array<number> = []
  let counter = 0
  let components = 0
  const inRegion = (id: number) => id >= 0 && region.rank[id]! >= 0
  const visit = (id: number) => {
    index[id] = low[id] = counter++
    nextEdge[id] = first[id]!
    stack.push(id)
    onStack[id] = 1
    calls.push(id)
  }
  for (const root of region.order) {
    if (index[root] !== -1) continue
    visit(root)
    while (calls.length > 0) {
      const v = calls[calls.length - 1]!
      if (nextEdge[v]! < first[v]! + count[v]!) {
        const w = targets[nextEdge[v]!++]!
        if (!inRegion(w)) continue
        if (index[w] === -1) visit(w)
        else if (onStack[w] === 1 && index[w]! < low[v]!) low[v] = index[w]!
        continue
      }
      calls.pop()
      if (calls.length > 0) {
        const u = calls[calls.length - 1]!
        if (low[v]! < low[u]!) low[u] = low[v]!
      }
      if (low[v] !== index[v]) continue
      const id = components++
      const members: Array<number> = []
      let w: number
      do {
        w = stack.pop()!
        onStack[w] = 0
        component[w] = id
        members.push(w)
      } while (w !== v)
      const found = judge(graph, members, (x) => x >= 0 && component[x] === id)
      if (found !== undefined) return found
    }
  }
  return undefined
}

/** The component as a fair cycle, if it has a cycle and takes every class enabled throughout it. */
const judge = (graph: StateGraph, members: ReadonlyArray<number>, contains: (id: number) => boolean): Component | undefined => {
  const { first, count, targets, classes } = graph
  let cyclic = members.length > 1
  const enabledIn = new Map<number, number>()
  const taken = new Set<number>()
  for (const id of members) {
    const seen = new Set<number>()
    for (let edge = first[id]!, end = edge + count[id]!; edge < end; edge++) {
      const target = targets[edge]!
      const fairness = classes[edge]!
      if (target === id) cyclic = true
      if (fairness < 0) continue
      if (contains(target)) taken.add(fairness)
      if (!seen.has(fairness)) {
        seen.add(fairness)
        enabledIn.set(fairness, (enabledIn.get(fairness) ?? 0) + 1)
      }
    }
  }
  if (!cyclic) return undefined
  const required: Array<number> = []
  for (const [fairness, states] of enabledIn) {
    if (states !== members.length) continue
    if (!taken.has(fairness)) return undefined
    required.push(fairness)
  }
  return { members, contains, required }
}

/** A cycle from `entry` through the component that takes each required class, back to `entry`. */
const fairCycle = (graph: StateGraph, component: Component, entry: number): ReadonlyArray<number> => {
  const cycle: Array<number> = []
  let at = entry
  for (const fairness of component.required) {
    const leg = pathWithin(graph, component, at, (edge) => graph.classes[edge] === fairness)
    cycle.push(...leg.actions)
    at = leg.end
  }
  if (at !== entry || cycle.length === 0) cycle.push(...pathWithin(graph, component, at, (edge) => graph.targets[edge] === entry).actions)
  return cycle
}

/**
 * The shortest path of at least one step inside the component from `from`
 * that ends by taking an edge `wanted` accepts: its actions, and the state it
 * ends in.
 */
const pathWithin = (
  graph: StateGraph,
  component: Component,
  from: number,
  wanted: (edge: number) => boolean
): { readonly actions: ReadonlyArray<number>; readonly end: number } => {
  const { first, count, targets, actions } = graph
  /** Per state reached: the edge it was first reached by. */
  const cameBy = new Map<number, number>([[from, -1]])
  const parentOf = new Map<number, number>()
  const queue = [from]
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!
    for (let edge = first[id]!, end = edge + count[id]!; edge < end; edge++) {
      const target = targets[edge]!
      if (!component.contains(target)) continue
      if (wanted(edge)) {
        const path = [actions[edge]!]
        for (let current = id; current !== from; current = parentOf.get(current)!) path.push(actions[cameBy.get(current)!]!)
        return { actions: path.reverse(), end: target }
      }
      if (cameBy.has(target)) continue
      cameBy.set(target, edge)
      parentOf.set(target, id)
      queue.push(target)
    }
  }
  throw new Error("liveness: no path inside a strongly connected component; the graph is inconsistent")
}
