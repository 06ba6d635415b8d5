/**
 * The clients' history as the nodes saw it, checked for linearizability
 * with core's search: an operation (a client's session and sequence
 * number) is invoked when a node's reducer first takes its request and
 * returns when a reducer first answers it (an answer, not a redirect).
 * Those instants lie inside the client's own interval, so a correct
 * cluster's history is linearizable by them too. Real time is the nodes'
 * clocks, exact on one machine; on equal milliseconds invocations go first,
 * which only widens intervals.
 */
import { checkLinearizability, operationsOf } from "@parley/core"
import type { AnyHostedSpec, HistoryEvent, SearchBudget, SequentialSpec } from "@parley/core"
import { KvRequest, kvRequestSpec, KvResponse } from "@parley/kv"
import type { KvStore } from "@parley/kv"
import { Schema } from "effect"
import type { GlobalEvent } from "./merge.ts"

/** How a spec's client operations are told apart and judged. */
export interface ClientModel<M, Req, Res> {
  readonly spec: SequentialSpec<M, Req, Res>
  /** The request, or undefined when it is not one of the model's operations. */
  operation(request: unknown): Req | undefined
  /** The response, or undefined when it is not one of the model's. */
  response(response: unknown): Res | undefined
  /** The request's sequence number in its client's session. */
  sequence(request: Req): number
}

const isKvRequest = Schema.is(KvRequest)
const isKvResponse = Schema.is(KvResponse)

/** The replicated key-value store's requests against a key-value map, by key. */
export const kvClientModel: ClientModel<KvStore, KvRequest, KvResponse> = {
  spec: kvRequestSpec,
  operation: (request) => (isKvRequest(request) ? request : undefined),
  response: (response) => (isKvResponse(response) ? response : undefined),
  sequence: (request) => request.seq
}

/** `schema` is `part`, or a union with `part` among its members (Raft's requests: the store's and membership changes). */
const takes = (schema: unknown, part: unknown): boolean =>
  schema === part || (schema instanceof Object && "members" in schema && Array.isArray(schema.members) && schema.members.includes(part))

/** Whether a hosted spec serves the replicated key-value store (its requests and responses are the store's, perhaps among others, which the check leaves out). */
export const servesKeyValueStore = (hosted: AnyHostedSpec): boolean => takes(hosted.request, KvRequest) && takes(hosted.response, KvResponse)

/** What the history check found, with the model's types closed over. */
export type HistoryOutcome =
  | { readonly _tag: "Linearizable"; readonly operations: number }
  | { readonly _tag: "Unknown"; readonly operations: number; readonly reason: string; readonly partition: string | undefined }
  | {
    readonly _tag: "NotLinearizable"
    readonly operations: number
    readonly partition: string | undefined
    /** The operation that cannot be placed: its request and response, and the run's event at which it returned. */
    readonly request: unknown
    readonly response: unknown
    readonly client: string
    readonly event: number
  }

/** A client model's check of a merged run's history. */
export interface ClientHistoryCheck {
  /** The checked spec's property this check stands for, left out of the per-state invariants. */
  readonly property: string
  check(hosted: AnyHostedSpec, events: ReadonlyArray<GlobalEvent>, budget: SearchBudget): HistoryOutcome
}

interface Timed<Req, Res> {
  readonly at: number
  readonly event: number
  readonly history: HistoryEvent<Req, Res>
}

/** The operations of a merged run, with the event each returned at. */
const historyOf = <M, Req, Res>(hosted: AnyHostedSpec, model: ClientModel<M, Req, Res>, events: ReadonlyArray<GlobalEvent>) => {
  const timed: Array<Timed<Req, Res>> = []
  const invoked = new Set<string>()
  const returnedAt = new Map<string, number>()
  for (const [index, event] of events.entries()) {
    if (event._tag !== "Step") continue
    const { step } = event
    const input = step.logged.input
    const request = input._tag === "Request" ? model.operation(input.request) : undefined
    if (input._tag === "Request" && request !== undefined) {
      const id = `${input.client}#${model.sequence(request)}`
      if (!invoked.has(id)) {
        invoked.add(id)
        timed.push({ at: step.logged.at, event: index, history: { _tag: "Invoke", client: id, node: step.node, request } })
      }
    }
    for (const output of step.out) {
      if (output._tag !== "Reply" || hosted.api.outcome(output.response)._tag !== "Answer") continue
      const id = `${output.client}#${hosted.api.answers(output.response)}`
      const response = model.response(output.response)
      if (!invoked.has(id) || returnedAt.has(id) || response === undefined) continue
      returnedAt.set(id, index)
      timed.push({ at: step.logged.at, event: index, history: { _tag: "Return", client: id, node: step.node, response } })
    }
  }
  // By the clock; on a tie, invocations first (wider intervals), then the run's order.
  timed.sort((a, b) => a.at - b.at || rank(a) - rank(b) || a.event - b.event)
  return { operations: operationsOf(timed.map((entry) => entry.history)), returnedAt }
}

const rank = (entry: Timed<unknown, unknown>): number => (entry.history._tag === "Invoke" ? 0 : 1)

export const clientHistoryCheck = <M, Req, Res>(model: ClientModel<M, Req, Res>, property = "Linearizable"): ClientHistoryCheck => ({
  property,
  check: (hosted, events, budget) => {
    const history = historyOf(hosted, model, events)
    const result = checkLinearizability(model.spec, history.operations, { budget })
    const operations = history.operations.length
    switch (result._tag) {
      case "Linearizable":
        return { _tag: "Linearizable", operations }
      case "Unknown":
        return { _tag: "Unknown", operations, reason: result.reason, partition: result.partition }
      case "NotLinearizable": {
        const { blocked } = result
        return {
          _tag: "NotLinearizable",
          operations,
          partition: result.partition,
          request: blocked.input,
          response: blocked.outcome._tag === "Returned" ? blocked.outcome.output : undefined,
          client: blocked.client,
          event: history.returnedAt.get(blocked.client) ?? events.length - 1
        }
      }
    }
  }
})
