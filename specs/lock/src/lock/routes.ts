/**
 * A lock cluster's client API, as data the runtime serves. Any node takes
 * any request and hands it to the node it belongs to: lock commands to the
 * lock server, writes and reads to the resource.
 *
 * - `POST /v1/locks/{name}/acquire` `{"owner": string, "ttlMs": int}`: 200
 *   and the lease (its `token` is the fencing token), or 409 naming the
 *   holder while another owner holds it. The owner asking again while it
 *   holds the lease is given the same lease: a retry is safe.
 * - `POST /v1/locks/{name}/renew` `{"token": int}`: 200 and the lease with
 *   its ttl counted again from now, or 409 when that token no longer holds
 *   the lock.
 * - `POST /v1/locks/{name}/release` `{"token": int}`: an atomic
 *   compare-and-delete: 200, or 409 when that token no longer holds it.
 * - `GET /v1/locks/{name}`: the lease the lock holds, or null.
 * - `DELETE /v1/locks/{name}`: deletes whatever lease it holds (breaking a
 *   lock by hand; the naive recipe's release after its GET).
 * - `PUT /v1/resource/{name}` `{"token": int, "value": string, "writer"?:
 *   string}`: 200 when the resource takes the write, 409 when its token is
 *   older than one it took for that name.
 * - `GET /v1/resource/{name}`: the entry's value, newest token, its last
 *   writes and how many it refused.
 */
import { clientRoute, jsonBody, noBody } from "@parley/core"
import type { ClientRoute, HttpReply } from "@parley/core"
import { Schema } from "effect"
import { Token } from "./messages.ts"
import { LockName, Owner, TtlMs, WriteValue } from "./requests.ts"
import type { LeaseView, LockAnswer, LockRequest } from "./requests.ts"

export const ByName = Schema.Struct({ name: LockName })
export const AcquireBody = Schema.Struct({ owner: Owner, ttlMs: TtlMs })
export const TokenBody = Schema.Struct({ token: Token })
const WriteBody = Schema.Struct({ token: Token, value: WriteValue, writer: Schema.optional(Owner) })

const nameShape = "letters, digits, _ . : -, at most 128"
export const acquireShape = `{"owner": string of ${nameShape}, "ttlMs": int from 100 to 3600000}`
export const tokenShape = `{"token": int from 1}`
const writeShape = `{"token": int from 1, "value": string of at most 65536, "writer"?: string}`

/** An answer of a kind the route did not ask for: the reducer and its routes out of step, a server error worth saying so. */
const unexpected = (answer: LockAnswer): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

export const holderOf = (lease: LeaseView | null): string =>
  lease === null ? "it is free" : `${lease.holder} holds it with token ${lease.token} for up to ${lease.expiresInMs} ms more`

/** A lock command's answer: 200 with the lease when it did what was asked, 409 saying why not. */
const lockReply = (why: (name: string, lease: LeaseView | null) => string) => (_: unknown, answer: LockAnswer): HttpReply => {
  if (answer._tag !== "LockAnswer") return unexpected(answer)
  return answer.ok
    ? { status: 200, body: { name: answer.name, lease: answer.lease } }
    : { status: 409, body: { name: answer.name, lease: answer.lease, error: why(answer.name, answer.lease) } }
}

const tokenCommand = (command: "Renew" | "Release", path: string): ClientRoute<LockRequest, LockAnswer> =>
  clientRoute({
    method: "POST",
    path,
    params: ByName,
    body: jsonBody(TokenBody, tokenShape),
    request: ({ name }, { token }, seq): LockRequest => ({ _tag: command, seq, name, token }),
    reply: lockReply((name, lease) => `the token given no longer holds lock ${name}: ${holderOf(lease)}`)
  })

export const lockRoutes: ReadonlyArray<ClientRoute<LockRequest, LockAnswer>> = [
  clientRoute({
    method: "POST",
    path: "/v1/locks/{name}/acquire",
    params: ByName,
    body: jsonBody(AcquireBody, acquireShape),
    request: ({ name }, { owner, ttlMs }, seq): LockRequest => ({ _tag: "Acquire", seq, name, owner, ttlMs }),
    reply: lockReply((name, lease) => `lock ${name} is held: ${holderOf(lease)}`)
  }),
  tokenCommand("Renew", "/v1/locks/{name}/renew"),
  tokenCommand("Release", "/v1/locks/{name}/release"),
  clientRoute({
    method: "GET",
    path: "/v1/locks/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): LockRequest => ({ _tag: "Inspect", seq, name }),
    reply: (_, answer: LockAnswer) => (answer._tag === "LockAnswer" ? { status: 200, body: { name: answer.name, lease: answer.lease } } : unexpected(answer))
  }),
  clientRoute({
    method: "DELETE",
    path: "/v1/locks/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): LockRequest => ({ _tag: "Delete", seq, name }),
    reply: (_, answer: LockAnswer) => (answer._tag === "LockAnswer" ? { status: 200, body: { name: answer.name, deleted: answer.lease } } : unexpected(answer))
  }),
  clientRoute({
    method: "PUT",
    path: "/v1/resource/{name}",
    params: ByName,
    body: jsonBody(WriteBody, writeShape),
    request: ({ name }, { token, value, writer }, seq): LockRequest => ({ _tag: "Write", seq, name, token, value, writer: writer ?? "" }),
    reply: ({ name }, answer: LockAnswer): HttpReply => {
      if (answer._tag !== "ResourceAnswer") return unexpected(answer)
      if (answer.accepted !== false) return { status: 200, body: { accepted: true, entry: answer.entry } }
      return {
        status: 409,
        body: { accepted: false, entry: answer.entry, error: `stale token: the resource has taken token ${answer.entry.newest} for ${name}, and refuses older ones` }
      }
    }
  }),
  clientRoute({
    method: "GET",
    path: "/v1/resource/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): LockRequest => ({ _tag: "Read", seq, name }),
    reply: (_, answer: LockAnswer) => (answer._tag === "ResourceAnswer" ? { status: 200, body: answer.entry } : unexpected(answer))
  })
]
