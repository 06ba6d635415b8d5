/** One line per message and timer (`Event order-1:charge:done`, `Ack order-1:placed`), and a compact view of each node. */
import type { SagaStep } from "../steps.ts"
import { stepAt } from "../steps.ts"
import type { ChoreographyMessage, ChoreographyTimer } from "./messages.ts"
import type { ChoreographyNodeState } from "./node.ts"

export const formatChoreographyMessage = (m: ChoreographyMessage): string =>
  m._tag === "Event" ? `${m.event.kind}${m.event.step > 0 ? ` T${m.event.step}` : ""} id=${m.event.id}` : `Ack ${m.id}`

export const formatChoreographyTimer = (timer: ChoreographyTimer): string =>
  timer._tag === "Resend" ? `Resend ${timer.id}` : `Decide ${timer.saga} T${timer.step} ${timer.result}`

export const choreographyView = (steps: ReadonlyArray<SagaStep>) => (s: ChoreographyNodeState): unknown => {
  const outbox = s.outbox.map((e) => `${e.event.id} to ${e.to}${e.attempts > 0 ? ` (resent ${e.attempts})` : ""}`)
  const common = { inbox: s.inbox, ...(outbox.length > 0 ? { outbox } : {}), ...(s.replayed.length > 0 ? { replayed: s.replayed } : {}) }
  if (s.role === "order") return { outcomes: Object.fromEntries(s.sagas.map((record) => [record.saga, record.outcome])), ...common }
  const ledger = s.ledger.map((entry) => {
    const named = stepAt(steps, entry.step)
    return entry.op === "do" ? named.action : named.compensation
  })
  return { ledger, ...(s.deciding.length > 0 ? { deciding: s.deciding } : {}), ...common }
}
