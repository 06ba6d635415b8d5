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
import type { AnyHostedSpec, HistoryEvent, LinearizabilityResult, NodeId, Operation, SearchBudget, SequentialSpec } from "@parley/core"
import { KvRequest, kvRequestSpec, KvResponse } from "@parley/kv"
import { Schema } from "effect"
import type { GlobalEvent } from "./merge.ts"

/** How a spec's client operations are told apart and judged. */
export interface ClientModel<Req, Res> {
  readonly spec: SequentialSpec<unknown, Req, Res>
  /** The request, or undefined when it is not one of the model's operations. */
  operation(request: unknown): Req | undefined
  /** The request's sequence number in its client's session. */
  sequence(request: Req): number
}

const isKvRequest = Schema.is(KvRequest)

/** The replicated key-value store's requests against a key-value map, by key. */
export const kvClientModel: ClientModel<KvRequest, KvResponse> = {
  spec: kvRequestSpec as SequentialSpec<unknown, KvRequest, KvResponse>,
  operation: (request) => (isKvRequest(request) ? request : undefined),
  sequence: (request) => request.seq
}

/** Whether a hosted spec serves the replicated key-value store (its requests and responses are the store's). */
export const servesKeyValueStore = (hosted: AnyHostedSpec): boolean => hosted.request === KvRequest && hosted.response === KvResponse

export interface ClientHistory<Req, Res> {
  readonly operations: ReadonlyArray<Operation<Req, Res>>
  /** For each operation's client (`client#seq`): the run's event at which it returned. */
  readonly returnedAt: ReadonlyMap<string, number>
}

interface Timed<Req, Res> {
  readonly at: number
  readonly event: number
  readonly history: HistoryEvent<Req, Res>
}

/** The operations of a merged run. */
export const clientHistory = <Req, Res>(hosted: AnyHostedSpec, model: ClientModel<Req, Res>, events: ReadonlyArray<GlobalEvent>): ClientHistory<Req, Res> => {
  const timed: Array<Timed<Req, Res>> = []
  const invoked = new Map<string, NodeId>()
  const returned = new Set<string>()
  const returnedAt = new Map<string, number>()
  for (const [index, event] of events.entries()) {
    if (event._tag !== "Step") continue
    const { step } = event
    const input = step.logged.input
    if (input._tag === "Request") {
      const request = model.operation(input.request)
      const id = request === undefined ? undefined : `${input.client}#${model.sequence(request)}`
      if (request !== undefined && id !== undefined && !invoked.has(id)) {
        invoked.set(id, step.node)
        timed.push({ at: step.logged.at, event: index, history: { _tag: "Invoke", client: id, node: step.node, request } })
      }
    }
    for (const output of step.out) {
      if (output._tag !== "Reply") continue
      const outcome = hosted.api.outcome(output.response)
      if (outcome._tag !== "Answer") continue
      const id = `${output.client}#${hosted.api.answers(output.response)}`
      if (!invoked.has(id) || returned.has(id)) continue
      returned.add(id)
      returnedAt.set(id, index)
      timed.push({ at: step.logged.at, event: index, history: { _tag: "Return", client: id, node: step.node, response: output.response as Res } })
    }
  }
  // By the clock; on a tie, invocations first (wider intervals), then the run's order.
  timed.sort((a, b) => a.at - b.at || rank(a) - rank(b) || a.event - b.event)
  return { operations: operationsOf(timed.map((entry) => entry.history)), returnedAt }
}

const rank = (entry: Timed<unknown, unknown>): number => (entry.history._tag === "Invoke" ? 0 : 1)

export const checkClientHistory = <Req, Res>(model: ClientModel<Req, Res>, history: ClientHistory<Req, Res>, budget: SearchBudget): LinearizabilityResult<Operation<Req, Res>, unknown> =>
  checkLinearizability(model.spec, history.operations, { budget })
