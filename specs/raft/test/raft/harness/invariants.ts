/**
 * Raft's safety properties (paper, Figure 3) checked on a harness cluster
 * after every event: the predicates of src/raft/properties.ts, evaluated on a
 * SystemState-shaped view of the cluster, plus two that only a whole run can
 * see — a term's leaders over time, and what any node ever applied at an
 * index, crashes included.
 */
import { Bag, equals, SetOf } from "@parley/core"
import type { Envelope, NodeId } from "@parley/core"
import type { Entry, RaftMessage, RaftRequest, RaftResponse } from "../../../src/raft/messages.ts"
import {
  appliedEntriesStay,
  electionSafety,
  leaderAppendOnly,
  leaderCompleteness,
  logMatching,
  stateMachineSafety
} from "../../../src/raft/properties.ts"
import type { RaftSystemState } from "../../../src/raft/properties.ts"
import type { Cluster } from "./cluster.ts"
import { entryOf } from "../../../src/raft/state.ts"

const stateProperties = [electionSafety, logMatching, leaderCompleteness, stateMachineSafety]
const stepProperties = [leaderAppendOnly, appliedEntriesStay]

/** The cluster as the checker's properties see a system: nodes only; no clients, network or history. */
export const systemView = (cluster: Cluster): RaftSystemState => ({
  nodes: cluster.ids.map((id) => {
    const slot = cluster.slot(id)
    return slot.up ? { up: true, state: slot.state, timers: SetOf.from(slot.timers) } : { up: false, durable: slot.durable }
  }),
  clients: [],
  network: Bag.empty<Envelope<RaftMessage, RaftRequest, RaftResponse>>(),
  crashes: cluster.crashes,
  history: []
})

/** Watches one run; `check` returns the names of the properties the latest event violated. */
export class InvariantMonitor {
  private before: RaftSystemState
  private readonly leaderOfTerm = new Map<number, NodeId>()
  private readonly appliedAt: Array<Entry> = []

  constructor(private readonly cluster: Cluster) {
    this.before = systemView(cluster)
  }

  check(): ReadonlyArray<string> {
    const after = systemView(this.cluster)
    const violated = [
      ...stateProperties.filter((property) => !property.holds(after)).map((property) => property.name),
      ...stepProperties.filter((property) => !property.holds(this.before, after)).map((property) => property.name)
    ]
    if (!this.oneLeaderPerTermOverTheRun()) violated.push("ElectionSafety (over the run)")
    if (!this.sameEntriesAppliedOverTheRun()) violated.push("StateMachineSafety (over the run)")
    this.before = after
    return violated
  }

  private oneLeaderPerTermOverTheRun(): boolean {
    for (const id of this.cluster.ids) {
      const slot = this.cluster.slot(id)
      if (!slot.up || slot.state.role !== "leader") continue
      const known = this.leaderOfTerm.get(slot.state.term)
      if (known === undefined) this.leaderOfTerm.set(slot.state.term, id)
      else if (known !== id) return false
    }
    return true
  }

  private sameEntriesAppliedOverTheRun(): boolean {
    for (const id of this.cluster.ids) {
      const slot = this.cluster.slot(id)
      if (!slot.up) continue
      for (let index = slot.state.snapshot.index + 1; index <= slot.state.lastApplied; index++) {
        const entry = entryOf(slot.state, index)
        const first = this.appliedAt[index - 1]
        if (entry === undefined) return false
        if (first === undefined) this.appliedAt[index - 1] = entry
        else if (!equals(first, entry)) return false
      }
    }
    return true
  }
}
