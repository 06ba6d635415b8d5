/** What the orchestrated saga's nodes answer a client: the shared answers, and a saga shown step by step. */
import { Schema } from "effect"
import { ElsewhereResponse, LedgerResponse, ListedResponse, shownResponse, StartedResponse } from "../requests.ts"
import { SagaReport } from "./view.ts"

export const SagaResponse = Schema.Union([StartedResponse, shownResponse(SagaReport), ListedResponse, LedgerResponse, ElsewhereResponse])
export type SagaResponse = typeof SagaResponse.Type
