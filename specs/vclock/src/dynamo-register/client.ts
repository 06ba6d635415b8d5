/**
 * The store's clients, as the checker runs them: each works through a
 * short script on one key, one operation at a time, all through one
 * replica (client `ci` through `ni`, wrapping round). A write carries the
 * client's context: every clock it has read or written (the clocks of its
 * last read merged with what it saw before, its own writes included). The
 * client keeps a record of each write, its context and, once acknowledged,
 * its clock: the properties judge the replicas against these records.
 */
import type { Client, ClientStep, NodeId } from "@parley/core"
import { merge } from "../vclock.ts"
import type { VClock } from "../vclock.ts"
import type { RegisterRequest, RegisterResponse } from "./messages.ts"
import { contextOf } from "./siblings.ts"

export type ScriptOp = "put" | "get"

/** The one key the model's clients write. */
export const registerKey = "register"

/** A write the client made: the clock is null until the coordinator acknowledges it. */
export interface WriteRecord {
  readonly value: string
  readonly context: VClock
  readonly clock: VClock | null
}

export interface RegisterClientState {
  /** Index of the open operation in the script; the script's length when done. */
  readonly next: number
  readonly context: VClock
  readonly writes: ReadonlyArray<WriteRecord>
}

/** One write then a read; with two writes (the most the spec allows), the second is made with what the read saw. */
export const clientScript = (writes: number): ReadonlyArray<ScriptOp> => (writes === 1 ? ["put", "get"] : ["put", "get", "put"])

export const registerClient = (
  self: string,
  replica: NodeId,
  script: ReadonlyArray<ScriptOp>
): Client<RegisterClientState, RegisterRequest, RegisterResponse> => {
  // The open operation's number: its place in the script, from 1.
  const issue = (state: RegisterClientState): ClientStep<RegisterClientState, RegisterRequest, never> => {
    const op = script[state.next]
    const seq = state.next + 1
    if (op === undefined) return { state, out: [] }
    if (op === "get") return { state, out: [{ _tag: "Request", to: replica, request: { _tag: "Get", seq, key: registerKey } }] }
    const value = `${self}.${state.writes.length + 1}`
    return {
      state: { ...state, writes: [...state.writes, { value, context: state.context, clock: null }] },
      out: [{ _tag: "Request", to: replica, request: { _tag: "Put", seq, key: registerKey, value, context: state.context } }]
    }
  }
  /** Whether `response` answers the open operation: a duplicate answer to an earlier one does not. */
  const answers = (state: RegisterClientState, response: RegisterResponse): boolean => response.seq === state.next + 1
  return {
    init: () => issue({ next: 0, context: {}, writes: [] }),
    onResponse: (state, _from, response) => {
      if (!answers(state, response)) return { state, out: [] }
      if (response._tag === "GetOk") return issue({ ...state, next: state.next + 1, context: merge(state.context, contextOf(response.siblings)) })
      const writes = state.writes.map((w) => (w.value === response.value ? { ...w, clock: response.clock } : w))
      return issue({ ...state, next: state.next + 1, context: merge(state.context, response.clock), writes })
    },
    onTimer: (state) => ({ state, out: [] }),
    completes: answers
  }
}
