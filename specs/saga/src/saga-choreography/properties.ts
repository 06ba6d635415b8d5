/**
 * The choreographed saga read as a saga (see ../properties.ts), held to the
 * same promises as the orchestrated one, and its `sometimes` properties.
 */
import { inFlight, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { Ledger } from "../ledger.ts"
import { readSaga, sagaChecks } from "../properties.ts"
import type { Outcome, SagaReading } from "../properties.ts"
import { SAGA_ID } from "../steps.ts"
import { predecessor, sagaEvent } from "./chain.ts"
import type { Chain } from "./chain.ts"
import type { ChoreographyDurable, ChoreographyTimer } from "./messages.ts"
import type { ChoreographyActor, ChoreographyNodeState } from "./node.ts"

export type ChoreographySystem = SystemSpecOf<ChoreographyActor>
export type ChoreographySystemState = SystemStateOf<ChoreographySystem>

type Slot = NodeSlot<ChoreographyNodeState, ChoreographyTimer, ChoreographyDurable>

/** A node's record, live or durable: what the properties read of it. */
const recordOf = (slot: Slot): ChoreographyNodeState | ChoreographyDurable => (slot.up ? slot.state : slot.durable)

const isOrder = (r: ChoreographyNodeState | ChoreographyDurable): r is Extract<typeof r, { sagas: unknown }> =>
  ("role" in r && r.role === "order") || ("_tag" in r && r._tag === "Order")

const ledgerOf = (slot: Slot): Ledger | undefined => {
  const r = recordOf(slot)
  return isOrder(r) ? undefined : r.ledger
}

/** `nodes` names each slot in the system's order; node 0 is the order service. */
export const choreographyReading = (steps: number, nodes: ReadonlyArray<string>): SagaReading<ChoreographySystemState> => {
  const outcome = (s: ChoreographySystemState): Outcome | undefined => {
    const r = recordOf(s.nodes[0]!)
    return isOrder(r) ? r.sagas.find((record) => record.saga === SAGA_ID)?.outcome ?? undefined : undefined
  }
  const handled = (s: ChoreographySystemState, to: string, id: string): boolean => {
    const slot = s.nodes[nodes.indexOf(to)]
    return slot !== undefined && recordOf(slot).inbox.includes(id)
  }
  const settled = (s: ChoreographySystemState): boolean => {
    for (const slot of s.nodes) {
      const r = recordOf(slot)
      if (!isOrder(r) && r.deciding.length > 0) return false
    }
    return inFlight(s.network).every((envelope) =>
      envelope.kind !== "message" || envelope.body._tag !== "Event" || handled(s, envelope.to, envelope.body.event.id))
  }
  return readSaga(steps, { ledgerOf, outcome, settled })
}

export const choreographyProperties = (
  reading: SagaReading<ChoreographySystemState>,
  chain: Chain,
  nodes: ReadonlyArray<string>,
  crashes: number
): ReadonlyArray<Property<ChoreographySystemState>> => {
  /** Step k's `Failed` reached its predecessor: Tk was refused. */
  const refused = (k: number) => {
    const index = nodes.indexOf(predecessor(chain, k))
    const id = sagaEvent(chain.steps, SAGA_ID, "Failed", k).id
    return (s: ChoreographySystemState) => recordOf(s.nodes[index]!).inbox.includes(id)
  }
  return [
    ...sagaChecks(reading, {
      refused,
      deduplicated: (s) => s.nodes.some((slot) => slot.up && slot.state.replayed.length > 0)
    }),
    ...(crashes > 0
      ? [sometimes<ChoreographySystemState>("EndedDespiteRestart", (s) => s.crashes > 0 && s.nodes.every((slot) => slot.up) && reading.ended(s))]
      : [])
  ]
}
