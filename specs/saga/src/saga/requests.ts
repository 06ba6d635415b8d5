/**
 * What a client may ask of a hosted saga cluster, and what it is answered,
 * each as an effect Schema. The orchestrator takes the saga requests (start
 * one, show one, list them); a service takes its own (its reservations, its
 * policy). A request at the wrong kind of node is answered `Elsewhere`, with
 * the node that takes it, and the host hands it on. The model makes none of
 * these: it starts its one saga at start-up.
 */
import { Schema } from "effect"
import { LedgerEntry } from "../ledger.ts"
import { Policy, SagaId } from "./messages.ts"
import { SagaState, SagaReport } from "./view.ts"

const seq = Schema.Int

/** Start saga `saga`, or one with an id the orchestrator makes up; starting an id that exists starts nothing (the idempotent retry). */
export const StartRequest = Schema.TaggedStruct("Start", { seq, saga: Schema.NullOr(SagaId) })
export const ShowRequest = Schema.TaggedStruct("Show", { seq, saga: SagaId })
export const ListRequest = Schema.TaggedStruct("List", { seq })
export const LedgerRequest = Schema.TaggedStruct("Ledger", { seq })
export const SetPolicyRequest = Schema.TaggedStruct("SetPolicy", { seq, policy: Policy })

export const SagaRequest = Schema.Union([StartRequest, ShowRequest, ListRequest, LedgerRequest, SetPolicyRequest])
export type SagaRequest = typeof SagaRequest.Type

/** The saga exists: `created` is false when it existed before this request (a retry, or an id already used). */
export const StartedResponse = Schema.TaggedStruct("Started", { seq, saga: SagaId, created: Schema.Boolean })
/** Saga `saga` step by step, or null when the orchestrator has none by that id. */
export const ShownResponse = Schema.TaggedStruct("Shown", { seq, saga: SagaId, view: Schema.NullOr(SagaReport) })
export const SagaSummary = Schema.Struct({ id: SagaId, state: SagaState })
export const ListedResponse = Schema.TaggedStruct("Listed", { seq, sagas: Schema.Array(SagaSummary) })
export const LedgerResponse = Schema.TaggedStruct("LedgerShown", { seq, ledger: Schema.Array(LedgerEntry), policy: Policy })
/** This node does not take the request; `node` does (the orchestrator), or none does (a service request at the orchestrator). */
export const ElsewhereResponse = Schema.TaggedStruct("Elsewhere", { seq, node: Schema.NullOr(Schema.String), reason: Schema.String })

export const SagaResponse = Schema.Union([StartedResponse, ShownResponse, ListedResponse, LedgerResponse, ElsewhereResponse])
export type SagaResponse = typeof SagaResponse.Type
