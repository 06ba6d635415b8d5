/**
 * At-least-once publication, the transactional-outbox pattern: an event is
 * put in the outbox with the state change it reports (both durable before it
 * is sent), sent, and resent on its `Resend` timer until the receiver
 * acknowledges it, at most `retries` times. With the budget spent it stays in
 * the outbox unsent; a restart sends every outbox event again.
 */
import { cancelTimer, send, setTimer } from "@parley/core"
import type { NodeId, Output } from "@parley/core"
import type { ChoreographyMessage, ChoreographyTimer, Published, SagaEvent } from "./messages.ts"
import type { ChoreographyResponse } from "./responses.ts"

export interface OutboxEntry extends Published {
  /** Resends so far; volatile. */
  readonly attempts: number
}

export type Outbox = ReadonlyArray<OutboxEntry>
export type ChoreographyOutput = Output<ChoreographyMessage, ChoreographyTimer, ChoreographyResponse>

const byId = (a: OutboxEntry, b: OutboxEntry): number => (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0)

const publish = (entry: Published): ReadonlyArray<ChoreographyOutput> => [
  send(entry.to, { _tag: "Event", event: entry.event }),
  setTimer({ _tag: "Resend", id: entry.event.id })
]

/** Puts `event` for `to` in the outbox (kept sorted by id) and sends it. */
export const emit = (outbox: Outbox, to: NodeId, event: SagaEvent): { readonly outbox: Outbox; readonly out: ReadonlyArray<ChoreographyOutput> } => ({
  outbox: [...outbox, { to, event, attempts: 0 }].sort(byId),
  out: publish({ to, event })
})

/** The receiver has the event: it leaves the outbox and its timer stops. */
export const acknowledge = (outbox: Outbox, id: string): { readonly outbox: Outbox; readonly out: ReadonlyArray<ChoreographyOutput> } =>
  outbox.some((entry) => entry.event.id === id)
    ? { outbox: outbox.filter((entry) => entry.event.id !== id), out: [cancelTimer({ _tag: "Resend", id })] }
    : { outbox, out: [] }

export type ResendOutcome =
  | { readonly _tag: "Resent"; readonly outbox: Outbox; readonly out: ReadonlyArray<ChoreographyOutput> }
  /** The budget is spent: the event stays in the outbox, unsent until a restart. */
  | { readonly _tag: "Spent"; readonly entry: OutboxEntry }
  /** Acknowledged already: a stale timer. */
  | { readonly _tag: "Gone" }

export const resend = (outbox: Outbox, id: string, retries: number): ResendOutcome => {
  const entry = outbox.find((e) => e.event.id === id)
  if (entry === undefined) return { _tag: "Gone" }
  if (entry.attempts >= retries) return { _tag: "Spent", entry }
  return {
    _tag: "Resent",
    outbox: outbox.map((e) => (e === entry ? { ...e, attempts: e.attempts + 1 } : e)),
    out: publish(entry)
  }
}

/** What survives a crash: the events, not the resend counts. */
export const durableOutbox = (outbox: Outbox): ReadonlyArray<Published> => outbox.map(({ to, event }) => ({ to, event }))

/** A restarted node sends its whole outbox again, with fresh budgets. */
export const republish = (outbox: ReadonlyArray<Published>): { readonly outbox: Outbox; readonly out: ReadonlyArray<ChoreographyOutput> } => ({
  outbox: outbox.map((entry) => ({ ...entry, attempts: 0 })),
  out: outbox.flatMap(publish)
})

/** Records `id` in a sorted inbox. */
export const withId = (ids: ReadonlyArray<string>, id: string): ReadonlyArray<string> => (ids.includes(id) ? ids : [...ids, id].sort())
