/**
 * The lock routes both lock clusters serve alike, so one client serves
 * both: acquire, renew, release, inspect and delete, under
 * `/v1/locks/{name}`. Each spec says how to read its answers; the requests
 * are the same shape in both.
 */
import { clientRoute, jsonBody, noBody } from "@parley/core"
import type { ClientRoute, HttpReply } from "@parley/core"
import { Schema } from "effect"
import { Token } from "./lock/messages.ts"
import { LeaseView, LockName, Owner, TtlMs } from "./lock/requests.ts"
import type { LockRequest } from "./lock/requests.ts"

export const ByName = Schema.Struct({ name: LockName })
const AcquireBody = Schema.Struct({ owner: Owner, ttlMs: TtlMs })
const TokenBody = Schema.Struct({ token: Token })

export const nameShape = "letters, digits, _ . : -, at most 128"
const acquireShape = `{"owner": string of ${nameShape}, "ttlMs": int from 100 to 3600000}`
const tokenShape = `{"token": int from 1}`

/** The lock commands' requests, the same in both specs. */
export type LockCommandRequest = Extract<LockRequest, { readonly _tag: "Acquire" | "Renew" | "Release" | "Inspect" | "Delete" }>

/** A lock command's answer as the routes tell it. */
export interface LockOutcome {
  readonly name: string
  readonly ok: boolean
  readonly lease: LeaseView | null
  /** More for the body: zk-lock's `waitFor`, the node to watch. */
  readonly fields: Readonly<Record<string, unknown>>
  /** Said instead of the usual refusal: zk-lock's expired session. */
  readonly refusal?: string
}

export interface LockAnswers<A> {
  /** The lock command's outcome, or undefined for an answer of another kind (a bug worth a 500). */
  outcome(answer: A): LockOutcome | undefined
  /** Why an acquire is refused while another holds the lock; zk-lock adds the node to watch. */
  busy(outcome: LockOutcome): string
  /** The Schemas of the outcomes' `fields`, each there when it applies, as a success answer's body has them. */
  readonly fields: Schema.Struct.Fields
}

export const holderOf = (lease: LeaseView | null): string =>
  lease === null ? "it is free" : `${lease.holder} holds it with token ${lease.token} for up to ${lease.expiresInMs} ms more`

/** An answer of a kind the route did not ask for: the reducer and its routes out of step, a server error worth saying so. */
export const unexpected = (tag: string): HttpReply => ({ status: 500, body: { error: `unexpected answer ${tag}` } })

const Lease = Schema.NullOr(LeaseView)

export const lockCommandRoutes = <A extends { readonly _tag: string }>(answers: LockAnswers<A>): ReadonlyArray<ClientRoute<LockCommandRequest, A>> => {
  // The 200 answers' bodies, as the routes write them: the API's description (`GET /v1/openapi.json`) shows them.
  const Done = (lease: string) => Schema.Struct({ name: LockName, lease: Lease.annotate({ description: lease }), ...answers.fields })
  const refusal = `409 {${["name", "lease", ...Object.keys(answers.fields).map((field) => `${field}?`), "error"].join(", ")}} when refused`
  /** 200 with the lease when the command did what was asked, 409 saying why not. */
  const reply = (why: (outcome: LockOutcome) => string) => (_: unknown, answer: A): HttpReply => {
    const outcome = answers.outcome(answer)
    if (outcome === undefined) return unexpected(answer._tag)
    const body = { name: outcome.name, lease: outcome.lease, ...outcome.fields }
    return outcome.ok ? { status: 200, body } : { status: 409, body: { ...body, error: outcome.refusal ?? why(outcome) } }
  }
  const gone = (outcome: LockOutcome) => `the token given no longer holds lock ${outcome.name}: ${holderOf(outcome.lease)}`
  const tokenCommand = (command: "Renew" | "Release", summary: string, lease: string) =>
    clientRoute({
      method: "POST",
      path: `/v1/locks/{name}/${command.toLowerCase()}`,
      params: ByName,
      body: jsonBody(TokenBody, tokenShape),
      request: ({ name }, { token }, seq): LockCommandRequest => ({ _tag: command, seq, name, token }),
      reply: reply(gone),
      summary: `${summary}; ${refusal}: that token no longer holds the lock`,
      answer: Done(lease)
    })
  /** A read of the lock, or its deletion: 200 whatever it held. */
  const whatever = (key: "lease" | "deleted") => (_: unknown, answer: A): HttpReply => {
    const outcome = answers.outcome(answer)
    return outcome === undefined ? unexpected(answer._tag) : { status: 200, body: { name: outcome.name, [key]: outcome.lease } }
  }
  return [
    clientRoute({
      method: "POST",
      path: "/v1/locks/{name}/acquire",
      params: ByName,
      body: jsonBody(AcquireBody, acquireShape),
      request: ({ name }, { owner, ttlMs }, seq): LockCommandRequest => ({ _tag: "Acquire", seq, name, owner, ttlMs }),
      reply: reply(answers.busy),
      summary: `Acquire the lock for an owner; the lease's token is the fencing token; ${refusal}: another holds it`,
      answer: Done("the lease granted")
    }),
    tokenCommand("Renew", "Renew the lease that token holds", "the lease renewed"),
    tokenCommand("Release", "Release the lock if that token holds it (compare-and-delete)", "null: the lock is free"),
    clientRoute({
      method: "GET",
      path: "/v1/locks/{name}",
      params: ByName,
      body: noBody,
      request: ({ name }, _, seq): LockCommandRequest => ({ _tag: "Inspect", seq, name }),
      reply: whatever("lease"),
      summary: "The lease the lock holds, or null",
      answer: Schema.Struct({ name: LockName, lease: Lease })
    }),
    clientRoute({
      method: "DELETE",
      path: "/v1/locks/{name}",
      params: ByName,
      body: noBody,
      request: ({ name }, _, seq): LockCommandRequest => ({ _tag: "Delete", seq, name }),
      reply: whatever("deleted"),
      summary: "Delete whatever lease the lock holds (breaking it by hand)",
      answer: Schema.Struct({ name: LockName, deleted: Lease.annotate({ description: "the lease deleted, or null if the lock was free" }) })
    })
  ]
}
