import type { Property, SystemState } from "@parley/core/model"
import type { SystemStore } from "./system-store.ts"
import { TupleTable } from "./tuple-table.ts"

const UNKNOWN = 0
const FALSE = 1
const TRUE = 2

type State<S, M, T, Req, Res, D, CS, CT> = SystemState<S, M, T, Req, Res, D, CS, CT>

/**
 * An actor system's state properties, each evaluated once per distinct
 * state apart from the network. Most new states differ from one met before
 * only in what is in flight, and most properties (agreement, logs, the
 * client history) read the nodes, clients and histories alone; a property
 * is pure, so its verdict on those parts is the same whatever the network
 * holds.
 *
 * A verdict is worked out on a copy of the state that notes a read of its
 * network: a property seen reading it is evaluated on every state from then
 * on, and only a verdict that did not read it is kept (a property that reads
 * the network only on some states takes the same branch on every state
 * with the same other parts, so never reads it on them). Only states the
 * store built are memoised, by their words (ids are exact, so equal words
 * are the very same values).
 */
export class PropertyMemo<S, M, T, Req, Res, D, CS, CT> {
  /** Ids of the states' words but the network's. */
  private readonly rests = new TupleTable()
  private readonly rest: Array<number>
  private lastState: State<S, M, T, Req, Res, D, CS, CT> | undefined = undefined
  private lastRest = -1
  private networkRead = false

  constructor(private readonly store: SystemStore<S, M, T, Req, Res, D, CS, CT>) {
    this.rest = new Array<number>(store.width - 1).fill(0)
  }

  /** `properties` with `holds` and `premise` memoised. */
  wrap(properties: ReadonlyArray<Property<State<S, M, T, Req, Res, D, CS, CT>>>): ReadonlyArray<Property<State<S, M, T, Req, Res, D, CS, CT>>> {
    return properties.map((property) => {
      const premise = property.premise
      return {
        kind: property.kind,
        name: property.name,
        holds: this.memoised((state) => property.holds(state)),
        ...(premise === undefined ? {} : { premise: this.memoised((state) => premise.call(property, state)) })
      }
    })
  }

  private memoised(predicate: (state: State<S, M, T, Req, Res, D, CS, CT>) => boolean): (state: State<S, M, T, Req, Res, D, CS, CT>) => boolean {
    // Small, to grow while unoptimised (see `INITIAL_CAPACITY` in `tuple-table.ts`).
    let verdicts = new Uint8Array(1 << 4)
    let readsNetwork = false
    return (state) => {
      const rest = readsNetwork ? -1 : this.restOf(state)
      if (rest < 0) return predicate(state)
      if (rest < verdicts.length && verdicts[rest] !== UNKNOWN) return verdicts[rest] === TRUE
      this.networkRead = false
      const holds = predicate(this.watched(state))
      if (this.networkRead) {
        readsNetwork = true
        return holds
      }
      if (rest >= verdicts.length) verdicts = grown(verdicts, rest)
      verdicts[rest] = holds ? TRUE : FALSE
      return holds
    }
  }

  /** `state` with the same parts, its network read through a getter that notes the read. */
  private watched(state: State<S, M, T, Req, Res, D, CS, CT>): State<S, M, T, Req, Res, D, CS, CT> {
    const memo = this
    return {
      nodes: state.nodes,
      clients: state.clients,
      get network() {
        memo.networkRead = true
        return state.network
      },
      crashes: state.crashes,
      history: state.history,
      ...("ghost" in state ? { ghost: state.ghost } : {})
    }
  }

  /** The id of `state`'s words but the network's, worked out once for the properties asked in turn of one state; -1 for a state the store did not build. */
  private restOf(state: State<S, M, T, Req, Res, D, CS, CT>): number {
    if (state === this.lastState) return this.lastRest
    const { store, rest } = this
    const words = store.keptWords(state)
    if (words === undefined) return -1
    for (let i = 0, j = 0; i < store.width; i++) if (i !== store.networkAt) rest[j++] = words[i]!
    this.lastState = state
    this.lastRest = this.rests.intern(rest)
    return this.lastRest
  }
}

const grown = (verdicts: Uint8Array<ArrayBuffer>, index: number): Uint8Array<ArrayBuffer> => {
  let length = verdicts.length
  while (length <= index) length *= 2
  const copy = new Uint8Array(length)
  copy.set(verdicts)
  return copy
}
