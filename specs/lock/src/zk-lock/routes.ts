/**
 * A zk-lock cluster's client API: the lock routes both clusters serve
 * (lock-routes.ts) on the ZooKeeper recipe, and the recipe's watch.
 *
 * - `POST /v1/locks/{name}/acquire` `{"owner", "ttlMs"}`: 200 and the lease
 *   when the owner's node is the lowest (its sequence number is the fencing
 *   token); otherwise 409 with `waitFor`, the predecessor to watch. Asking
 *   again finds the owner's node; it creates none. A `ttlMs` is taken but
 *   not used: a session lasts the server's session timeout after it was
 *   last heard from.
 * - `POST /v1/locks/{name}/watch` `{"owner", "token"}`: answered once node
 *   `token` is deleted (at once if it is gone); then ask again.
 * - `POST /v1/locks/{name}/renew` `{"token"}`: the session's heartbeat.
 * - `POST /v1/locks/{name}/release` `{"token"}`: deletes the node, which
 *   wakes its one watcher.
 * - `GET /v1/locks/{name}`: the holder's node; `DELETE` deletes it.
 * - `PUT /v1/resource/{name}`, `GET /v1/resource/{name}`: the protected
 *   resource (resource-requests.ts), at node `resource`; a node's sequence
 *   number is its fencing token.
 */
import { clientRoute, jsonBody } from "@parley/core"
import type { ClientRoute, HttpReply } from "@parley/core"
import { Schema } from "effect"
import { ByName, holderOf, lockCommandRoutes, nameShape, unexpected } from "../lock-routes.ts"
import type { LockOutcome } from "../lock-routes.ts"
import { resourceRoutes } from "../resource-requests.ts"
import { Owner } from "../lock/requests.ts"
import { Seq } from "./messages.ts"
import type { ZkRequest, ZkResponse } from "./requests.ts"

const WatchBody = Schema.Struct({ owner: Owner, token: Seq })
const watchShape = `{"owner": string of ${nameShape}, "token": int from 1}`

const outcome = (answer: ZkResponse): LockOutcome | undefined => {
  if (answer._tag !== "LockAnswer") return undefined
  return {
    name: answer.name,
    ok: answer.ok,
    lease: answer.lease,
    fields: { ...(answer.waitFor === null ? {} : { waitFor: answer.waitFor }), ...(answer.sessionExpired ? { sessionExpired: true } : {}) },
    ...(answer.sessionExpired ? { refusal: "the session expired: its nodes are gone; start again as a new owner" } : {})
  }
}

const commands = lockCommandRoutes<ZkResponse>({
  outcome,
  busy: ({ name, lease, fields }) => `lock ${name} is held: ${holderOf(lease)}; watch node ${String(fields["waitFor"])}, the one before yours`,
  fields: {
    waitFor: Schema.optionalKey(Seq.annotate({ description: "the node before the owner's, to watch (POST .../watch) while it waits" })),
    sessionExpired: Schema.optionalKey(Schema.Literal(true))
  }
})

export const zkLockRoutes: ReadonlyArray<ClientRoute<ZkRequest, ZkResponse>> = [
  ...commands,
  ...resourceRoutes<ZkResponse>(),
  clientRoute({
    method: "POST",
    path: "/v1/locks/{name}/watch",
    params: ByName,
    body: jsonBody(WatchBody, watchShape),
    request: ({ name }, { owner, token }, seq): ZkRequest => ({ _tag: "Watch", seq, name, owner, token }),
    reply: (_, answer: ZkResponse): HttpReply => {
      if (answer._tag === "Watched") return { status: 200, body: { token: answer.token, deleted: true } }
      const told = outcome(answer)
      return told?.refusal === undefined ? unexpected(answer._tag) : { status: 409, body: { name: told.name, sessionExpired: true, error: told.refusal } }
    },
    summary: "Wait until node token is deleted (at once if it is gone), then ask again; 409 {name, sessionExpired, error} when the owner's session expired",
    answer: Schema.Struct({ token: Seq, deleted: Schema.Literal(true) })
  })
]
