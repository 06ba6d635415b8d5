/**
 * The cluster the three election specs build, written once: nodes `n1`…`nN`
 * all running one actor, no clients, and a network that loses nothing. Each
 * spec adds only what is its own: the actor, properties, boundary and how
 * its messages print.
 */
import type { Actor, NodeId, SystemSpec } from "@parley/core"

/** `n1`…`nN`: a node's rank is its number, so `n3` outranks `n2`. */
export const nodeIds = (count: number): ReadonlyArray<NodeId> => Array.from({ length: count }, (_, i) => `n${i + 1}`)

export type ElectionSystem<S, M, T, D> = SystemSpec<S, M, T, never, never, D>

export interface ElectionCluster<S, M, T, D> extends Omit<ElectionSystem<S, M, T, D>, "nodes" | "clients" | "lossy"> {
  /** Every node, in rank order; each runs `actor`, which tells their roles apart by id where there are several. */
  readonly ids: ReadonlyArray<NodeId>
  readonly actor: Actor<S, M, T, never, never, D>
}

export const electionSystem = <S, M, T, D>({ ids, actor, ...model }: ElectionCluster<S, M, T, D>): ElectionSystem<S, M, T, D> => ({
  nodes: ids.map((id) => ({ id, actor })),
  clients: [],
  lossy: false,
  ...model
})

/** A timer that is just its name prints as its name. */
export const timerName = <T extends string>(timer: T): string => timer
