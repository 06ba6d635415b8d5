/**
 * What a client may ask of a hosted saga cluster, orchestrated or
 * choreographed, and the answers both give alike, each as an effect Schema.
 * The node that keeps sagas (the orchestrator, the order service) takes the
 * saga requests: start one, show one, list them; a step's service takes its
 * own: its reservations, its policy. A request at the wrong kind of node is
 * answered `Elsewhere`, naming the node that takes it, and the host hands
 * it on. The models make none of these: each starts its one saga at start-up.
 */
import { Schema } from "effect"
import { LedgerEntry } from "./ledger.ts"
import { Policy, SagaId } from "./policy.ts"

const seq = Schema.Int

/**
 * The Start request that created a saga: its client and sequence number,
 * the same on every retry and forward of that call. A retry of the very
 * request is answered as the first attempt was (`created`); any other
 * Start of the id is told the saga existed already.
 */
export const Origin = Schema.NullOr(Schema.String)
export const originOf = (client: string, seq: number): string => `${client}#${seq}`

/** Start saga `saga`, or one with a made-up id; starting an id that exists starts nothing (the idempotent retry). */
export const StartRequest = Schema.TaggedStruct("Start", { seq, saga: Schema.NullOr(SagaId) })
export const ShowRequest = Schema.TaggedStruct("Show", { seq, saga: SagaId })
export const ListRequest = Schema.TaggedStruct("List", { seq })
export const LedgerRequest = Schema.TaggedStruct("Ledger", { seq })
export const SetPolicyRequest = Schema.TaggedStruct("SetPolicy", { seq, policy: Policy })

export const SagaRequest = Schema.Union([StartRequest, ShowRequest, ListRequest, LedgerRequest, SetPolicyRequest])
export type SagaRequest = typeof SagaRequest.Type

export const SagaState = Schema.Literals(["running", "compensating", "completed", "compensated"])
export type SagaState = typeof SagaState.Type

/** The saga exists: `created` is false when it existed before this request (a retry, or an id already used). */
export const StartedResponse = Schema.TaggedStruct("Started", { seq, saga: SagaId, created: Schema.Boolean })
export const SagaSummary = Schema.Struct({ id: SagaId, state: SagaState })
export const ListedResponse = Schema.TaggedStruct("Listed", { seq, sagas: Schema.Array(SagaSummary) })
export const LedgerResponse = Schema.TaggedStruct("LedgerShown", { seq, ledger: Schema.Array(LedgerEntry), policy: Policy })
/** This node does not take the request; `node` does, or none does (a service's request at the node that keeps sagas). */
export const ElsewhereResponse = Schema.TaggedStruct("Elsewhere", { seq, node: Schema.NullOr(Schema.String), reason: Schema.String })

/** Saga `saga` as the spec shows it (its `view`), or null when there is none by that id. */
export const shownResponse = <V>(view: Schema.Codec<V, unknown>) => Schema.TaggedStruct("Shown", { seq, saga: SagaId, view: Schema.NullOr(view) })

/** The answers as the routes read them: a spec's own `Shown` carries its own view. */
export type SagaAnswer =
  | typeof StartedResponse.Type
  | typeof ListedResponse.Type
  | typeof LedgerResponse.Type
  | typeof ElsewhereResponse.Type
  | { readonly _tag: "Shown"; readonly seq: number; readonly saga: string; readonly view: unknown }
