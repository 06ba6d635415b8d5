/**
 * A zk-lock cluster's client API: the lease lock's routes (routes.ts of
 * `lock`) on the ZooKeeper recipe, so one client serves both, and the
 * recipe's watch.
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
 */
import { clientRoute, jsonBody, noBody } from "@parley/core"
import type { ClientRoute, HttpReply } from "@parley/core"
import { Schema } from "effect"
import { LockName, Owner } from "../lock/requests.ts"
import { AcquireBody, acquireShape, ByName, holderOf, TokenBody, tokenShape } from "../lock/routes.ts"
import { Seq } from "./messages.ts"
import type { ZkRequest, ZkResponse } from "./requests.ts"

const WatchBody = Schema.Struct({ owner: Owner, token: Seq })
const watchShape = `{"owner": string, "token": int from 1}`

const unexpected = (answer: ZkResponse): HttpReply => ({ status: 500, body: { error: `unexpected answer ${answer._tag}` } })

type Why = (answer: Extract<ZkResponse, { readonly _tag: "LockAnswer" }>) => string

const lockReply = (why: Why) => (_: unknown, answer: ZkResponse): HttpReply => {
  if (answer._tag !== "LockAnswer") return unexpected(answer)
  const body = { name: answer.name, lease: answer.lease, ...(answer.waitFor === null ? {} : { waitFor: answer.waitFor }) }
  if (answer.sessionExpired) return { status: 409, body: { ...body, sessionExpired: true, error: `the session expired: its nodes are gone; start again as a new owner` } }
  return answer.ok ? { status: 200, body } : { status: 409, body: { ...body, error: why(answer) } }
}

const gone: Why = (answer) => `the node given is gone from lock ${answer.name} (released, or its session expired): ${holderOf(answer.lease)}`

const tokenCommand = (command: "Renew" | "Release", path: string): ClientRoute<ZkRequest, ZkResponse> =>
  clientRoute({
    method: "POST",
    path,
    params: ByName,
    body: jsonBody(TokenBody, tokenShape),
    request: ({ name }, { token }, seq): ZkRequest => ({ _tag: command, seq, name, token }),
    reply: lockReply(gone)
  })

export const zkLockRoutes: ReadonlyArray<ClientRoute<ZkRequest, ZkResponse>> = [
  clientRoute({
    method: "POST",
    path: "/v1/locks/{name}/acquire",
    params: ByName,
    body: jsonBody(AcquireBody, acquireShape),
    request: ({ name }, { owner, ttlMs }, seq): ZkRequest => ({ _tag: "Acquire", seq, name, owner, ttlMs }),
    reply: lockReply((answer) => `lock ${answer.name} is held: ${holderOf(answer.lease)}; watch node ${answer.waitFor}, the one before yours`)
  }),
  clientRoute({
    method: "POST",
    path: "/v1/locks/{name}/watch",
    params: Schema.Struct({ name: LockName }),
    body: jsonBody(WatchBody, watchShape),
    request: ({ name }, { owner, token }, seq): ZkRequest => ({ _tag: "Watch", seq, name, owner, token }),
    reply: (_, answer: ZkResponse): HttpReply =>
      answer._tag === "Watched" ? { status: 200, body: { token: answer.token, deleted: true } } : lockReply(gone)(_, answer)
  }),
  tokenCommand("Renew", "/v1/locks/{name}/renew"),
  tokenCommand("Release", "/v1/locks/{name}/release"),
  clientRoute({
    method: "GET",
    path: "/v1/locks/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): ZkRequest => ({ _tag: "Inspect", seq, name }),
    reply: (_, answer: ZkResponse) => (answer._tag === "LockAnswer" ? { status: 200, body: { name: answer.name, lease: answer.lease } } : unexpected(answer))
  }),
  clientRoute({
    method: "DELETE",
    path: "/v1/locks/{name}",
    params: ByName,
    body: noBody,
    request: ({ name }, _, seq): ZkRequest => ({ _tag: "Delete", seq, name }),
    reply: (_, answer: ZkResponse) => (answer._tag === "LockAnswer" ? { status: 200, body: { name: answer.name, deleted: answer.lease } } : unexpected(answer))
  })
]
