/** One line per message and timer (`Do charge order-1:charge`, `Done T2 ok`), and a compact view of each node. */
import type { SagaStep } from "../steps.ts"
import { stepAt } from "../steps.ts"
import { formatLogEntry } from "./log.ts"
import type { SagaMessage, SagaTimer } from "./messages.ts"
import type { SagaNodeState } from "./node.ts"

export const formatSagaMessage = (m: SagaMessage): string => {
  switch (m._tag) {
    case "Do":
    case "Undo":
      return `${m._tag} T${m.step} key=${m.key}`
    case "Done":
      return `Done T${m.step} ${m.result}`
    case "Undone":
      return `Undone T${m.step}`
  }
}

export const formatSagaTimer = (timer: SagaTimer): string =>
  timer._tag === "Retry" ? `Retry ${timer.key}` : `Decide T${timer.step} ${timer.result}`

/** The log as `Done T1, Refused T2, Compensated T1`; ledgers as the effects by name (`charge`, `refund`). */
export const sagaView = (steps: ReadonlyArray<SagaStep>) => (s: SagaNodeState): unknown => {
  if (s.role === "orchestrator") {
    const sagas = Object.fromEntries(s.sagas.map((run) => [run.saga, { log: run.log.map(formatLogEntry), attempts: run.attempts }]))
    return { sagas, ...(s.recovered ? { recovered: true } : {}) }
  }
  return {
    ledger: s.ledger.map((entry) => {
      const named = stepAt(steps, entry.step)
      return entry.op === "do" ? named.action : named.compensation
    }),
    answers: s.answers.map((a) => `${a.key}=${a.result}`),
    ...(s.pending.length > 0 ? { pending: s.pending } : {}),
    ...(s.replayed.length > 0 ? { replayed: s.replayed } : {})
  }
}
