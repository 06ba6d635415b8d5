/**
 * What the choreographed saga's nodes answer a client: the shared answers,
 * and a saga as the order service knows it. No node holds the whole saga:
 * the order service knows the outcome and the events that came back to it;
 * each service's reservations tell its own step.
 */
import { Schema } from "effect"
import { ElsewhereResponse, LedgerResponse, ListedResponse, SagaState, shownResponse, StartedResponse } from "../requests.ts"

export const ChoreographyReport = Schema.Struct({
  id: Schema.String,
  state: SagaState,
  /** Ids of the events about this saga the order service received, in id order. */
  events: Schema.Array(Schema.String)
})
export type ChoreographyReport = typeof ChoreographyReport.Type

export const ChoreographyResponse = Schema.Union([
  StartedResponse,
  shownResponse(ChoreographyReport),
  ListedResponse,
  LedgerResponse,
  ElsewhereResponse
])
export type ChoreographyResponse = typeof ChoreographyResponse.Type
