/**
 * A workload: what the test's clients do to the cluster, and the model the
 * history is checked against. The runner owns the processes, the clock and
 * the history; a workload only says which operation comes next, performs
 * one through a client, and says how it ended. To add one, implement
 * `Workload` and list its factory in `workloads.ts` (docs/commands/test.md,
 * "Adding a workload").
 */
import type { AnyHistoryModel, Scalar } from "@parley/history"
import type { ApiAnswer } from "@parley/runtime"

/** An operation as the history records its invocation: `f`, the key it touches (if any), and its value. */
export interface Invocation {
  readonly f: string
  readonly key?: Scalar
  /** What the model reads as the operation's input: a write's value, a compare-and-set's [from, to]; null for a read. */
  readonly value: unknown
}

/**
 * How an operation ended. `ok`: it happened, and `value` is what it
 * returned. `fail`: it certainly did not happen (the cluster refused it, a
 * compare-and-set did not swap). `info`: nobody knows (a timeout, a 503, no
 * node answering): it may take effect at any later time, or never. When in
 * doubt, `info`: a `fail` that did happen makes a correct cluster look wrong.
 */
export type Completion = (
  | { readonly type: "ok"; readonly value: unknown }
  | { readonly type: "fail"; readonly error: string }
  | { readonly type: "info"; readonly error: string }
) & {
  /** The node whose answer this is, when one answered: the report shows who served a read that went wrong. */
  readonly node?: string
}

/**
 * What became of one call: the answer, and whether an attempt before it may
 * have reached the cluster (it timed out, or got a 503), in which case a
 * refusal now does not prove the operation never happened; or no answer.
 */
export type CallOutcome =
  | { readonly _tag: "Answered"; readonly answer: ApiAnswer; readonly afterDoubt: boolean }
  | { readonly _tag: "NoAnswer"; readonly error: string }

/**
 * The client of one process: each call is one operation of the process's
 * own session (Parley-Client, Parley-Seq), sent to its node first and again
 * to the others on a 503 or no answer, until its deadline; it takes effect
 * at most once.
 */
export interface ClusterClient {
  call(method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: string): Promise<CallOutcome>
}

/**
 * `Op` is the workload's own type of operations (an `Invocation` each); the
 * runner hands back what `next` gave, so a workload reads its operations
 * typed.
 */
export interface Workload<Op extends Invocation = Invocation> {
  /** The model the history is checked with, as `parley history check --model` would take it. */
  readonly model: AnyHistoryModel
  /** The next operation for a free process; one generator is shared by every process, as Jepsen's is. */
  next(random: () => number): Op
  /** Performs `operation` and says how it ended; must not throw (an error is an `info`). */
  perform(client: ClusterClient, operation: Op): Promise<Completion>
  /** Operations to run once the faults are healed and the cluster has recovered, such as a final read of every key. */
  finalOperations(): ReadonlyArray<Op>
}

export interface WorkloadOptions {
  /** How many keys are in use at once. */
  readonly keys: number
}

export interface WorkloadFactory {
  readonly name: string
  readonly description: string
  make(options: WorkloadOptions): Workload
}

/**
 * The answers every workload reads alike, around its own (`ok`, which says
 * what an answer it understands means, or undefined): no answer, a 503 or
 * another 5xx is unknown; a 4xx is a refusal, so `fail`, unless an earlier
 * attempt may have got through.
 */
export const completionOf = (outcome: CallOutcome, ok: (answer: ApiAnswer) => Completion | undefined): Completion => {
  if (outcome._tag === "NoAnswer") return { type: "info", error: outcome.error }
  const { answer, afterDoubt } = outcome
  const done = ok(answer)
  if (done !== undefined) return { ...done, node: answer.node }
  const error = typeof answer.body["error"] === "string" ? answer.body["error"] : `status ${answer.status}`
  return answer.status >= 400 && answer.status < 500 && !afterDoubt
    ? { type: "fail", error: `refused (${answer.status}): ${error}`, node: answer.node }
    : { type: "info", error: `answered ${answer.status}: ${error}`, node: answer.node }
}
