/**
 * The orchestrated saga read as a saga (see ../properties.ts), and the
 * `sometimes` properties that show the interesting states are reached: a
 * completed saga, a compensated one after each step's refusal, a retry
 * answered from an idempotency table, a restart mid-saga that still ends.
 */
import { inFlight, sometimes } from "@parley/core"
import type { NodeSlot, Property, SystemSpecOf, SystemStateOf } from "@parley/core"
import type { Ledger } from "../ledger.ts"
import { readSaga, sagaChecks } from "../properties.ts"
import type { SagaReading } from "../properties.ts"
import { SAGA_ID } from "../steps.ts"
import { outcomeOf } from "./log.ts"
import type { LogEntry, SagaDurable, SagaTimer } from "./messages.ts"
import type { SagaActor, SagaNodeState } from "./node.ts"

export type SagaSystem = SystemSpecOf<SagaActor>
export type SagaSystemState = SystemStateOf<SagaSystem>

type Slot = NodeSlot<SagaNodeState, SagaTimer, SagaDurable>

/** The model's saga's log at the orchestrator, live or durable; node 0 is the orchestrator. */
export const sagaLog = (s: SagaSystemState): ReadonlyArray<LogEntry> => {
  const slot = s.nodes[0]!
  const sagas = slot.up ? (slot.state.role === "orchestrator" ? slot.state.sagas : []) : (slot.durable._tag === "Orchestrator" ? slot.durable.sagas : [])
  return sagas.find((run) => run.saga === SAGA_ID)?.log ?? []
}

const ledgerOf = (slot: Slot): Ledger | undefined => {
  if (slot.up) return slot.state.role === "service" ? slot.state.ledger : undefined
  return slot.durable._tag === "Service" ? slot.durable.ledger : undefined
}

const answeredBy = (slot: Slot | undefined, key: string): boolean => {
  if (slot === undefined) return false
  if (slot.up) return slot.state.role === "service" && slot.state.answers.some((a) => a.key === key)
  return slot.durable._tag === "Service" && slot.durable.answers.some((a) => a.key === key)
}

/** `nodes` names each slot, in the system's order. */
export const sagaReading = (steps: number, nodes: ReadonlyArray<string>): SagaReading<SagaSystemState> => {
  const settled = (s: SagaSystemState): boolean => {
    for (const slot of s.nodes) if (slot.up && slot.state.role === "service" && slot.state.pending.length > 0) return false
    return inFlight(s.network).every((envelope) =>
      envelope.kind !== "message" || (envelope.body._tag !== "Do" && envelope.body._tag !== "Undo") ||
      answeredBy(s.nodes[nodes.indexOf(envelope.to)], envelope.body.key))
  }
  return readSaga(steps, { ledgerOf, outcome: (s) => outcomeOf(steps, sagaLog(s)), settled })
}

export const sagaProperties = (
  reading: SagaReading<SagaSystemState>,
  crashes: number
): ReadonlyArray<Property<SagaSystemState>> => [
  ...sagaChecks(reading, {
    refused: (step) => (s) => sagaLog(s).some((e) => e._tag === "Refused" && e.step === step),
    deduplicated: (s) => s.nodes.some((slot) => slot.up && slot.state.role === "service" && slot.state.replayed.length > 0)
  }),
  ...(crashes > 0
    ? [sometimes<SagaSystemState>("RecoveredMidSagaAndEnded", (s) => {
      const slot = s.nodes[0]!
      return slot.up && slot.state.role === "orchestrator" && slot.state.recovered && reading.ended(s)
    })]
    : [])
]
