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
 * - `PUT /v1/resource/{name}`, `GET /v1/resource/{name}`: the protected
 *   resource (resource-requests.ts).
 */
import type { ClientRoute } from "@parley/core"
import { holderOf, lockCommandRoutes } from "../lock-routes.ts"
import { resourceRoutes } from "../resource-requests.ts"
import type { LockAnswer, LockRequest } from "./requests.ts"

export const lockRoutes: ReadonlyArray<ClientRoute<LockRequest, LockAnswer>> = [
  ...lockCommandRoutes<LockAnswer>({
    outcome: (answer) => (answer._tag === "LockAnswer" ? { name: answer.name, ok: answer.ok, lease: answer.lease, fields: {} } : undefined),
    busy: ({ name, lease }) => `lock ${name} is held: ${holderOf(lease)}`,
    fields: {}
  }),
  ...resourceRoutes<LockAnswer>()
]
