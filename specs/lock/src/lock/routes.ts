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
import { ByName, holderOf, lockCommandRoutes, unexpected } from "../lock-routes.ts"
import { Token } from "./messages.ts"
import { Owner, WriteValue } from "./requests.ts"
import type { LockAnswer, LockRequest } from "./requests.ts"

const WriteBody = Schema.Struct({ token: Token, value: WriteValue, writer: Schema.optional(Owner) })
const writeShape = `{"token": int from 1, "value": string of at most 65536, "writer"?: string}`

export const lockRoutes: ReadonlyArray<ClientRoute<LockRequest, LockAnswer>> = [
  ...lockCommandRoutes<LockAnswer>({
    outcome: (answer) => (answer._tag === "LockAnswer" ? { name: answer.name, ok: answer.ok, lease: answer.lease, fields: {} } : undefined),
    busy: ({ name, lease }) => `lock ${name} is held: ${holderOf(lease)}`
  }),
  clientRoute({
    method: "PUT",
    path: "/v1/resource/{name}",
    params: ByName,
    body: jsonBody(WriteBody, writeShape),
    request: ({ name }, { token, value, writer }, seq): LockRequest => ({ _tag: "Write", seq, name, token, value, writer: writer ?? "" }),
    reply: ({ name }, answer: LockAnswer): HttpReply => {
      if (answer._tag !== "ResourceAnswer") return unexpected(answer._tag)
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
    reply: (_, answer: LockAnswer) => (answer._tag === "ResourceAnswer" ? { status: 200, body: answer.entry } : unexpected(answer._tag))
  })
]
