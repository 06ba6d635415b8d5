/**
 * The hosted side of the ZooKeeper server: a lock call becomes the recipe's
 * ZooKeeper calls on the lock's parent, done in one step at the server
 * (create the owner's node unless it has one, list the children, name the
 * predecessor), and `Watch` is `exists` with a watch on the predecessor,
 * answered when it is deleted. The waiting, and watching only the
 * predecessor, stay the client's, as in the recipe. Every call that names
 * a live session is its heartbeat.
 */
import { reply, step } from "@parley/core"
import type { ClientId, Step } from "@parley/core"
import { Resource } from "../lock/config.ts"
import type { LeaseView, LockCommandName } from "../lock/requests.ts"
import type { ZkMessage, ZkTimer } from "./messages.ts"
import type { ZkRequest, ZkResponse } from "./requests.ts"
import { childrenOf, createChild, heartbeat, removeChild, watchChild, zNodeOf } from "./server.ts"
import type { ZkOut, ZkServerState, ZNode } from "./server.ts"

type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, ZkResponse>

/** A node as a lease: its sequence number is its fencing token, and it lasts while its session is heard from. */
const leaseOf = (node: ZNode | undefined, sessionTimeoutMs: number): LeaseView | null =>
  node === undefined ? null : { name: node.name, holder: node.owner, token: node.seq, ttlMs: sessionTimeoutMs, expiresInMs: sessionTimeoutMs }

/** The lock calls; a resource call belongs to the resource node. */
export const zkServerOnRequest = (sessionTimeoutMs: number, s: ZkServerState, client: ClientId, request: ZkRequest): ServerStep => {
  if (request._tag === "Write" || request._tag === "Read") return step(s, [reply(client, { _tag: "Elsewhere", seq: request.seq, node: Resource })])
  const answer = (
    command: LockCommandName,
    ok: boolean,
    node: ZNode | undefined,
    extra: { readonly waitFor?: number; readonly sessionExpired?: boolean } = {}
  ): ZkOut =>
    reply(client, {
      _tag: "LockAnswer",
      seq: request.seq,
      command,
      name: request.name,
      ok,
      lease: leaseOf(node, sessionTimeoutMs),
      waitFor: extra.waitFor ?? null,
      sessionExpired: extra.sessionExpired ?? false
    })
  const holder = (state: ZkServerState): ZNode | undefined => childrenOf(state, request.name)[0]
  switch (request._tag) {
    case "Acquire": {
      if (s.expired.includes(request.owner)) return step(s, [answer("acquire", false, holder(s), { sessionExpired: true })])
      const alive = heartbeat(s, request.owner)
      const mine = childrenOf(alive.state, request.name).find((n) => n.owner === request.owner)
      const created = mine === undefined ? createChild(alive.state, request.name, request.owner) : { state: alive.state, out: [], seq: mine.seq }
      const lower = childrenOf(created.state, request.name).filter((n) => n.seq < created.seq)
      const out = [...alive.out, ...created.out]
      return lower.length === 0
        ? step(created.state, [...out, answer("acquire", true, zNodeOf(created.state, created.seq))])
        : step(created.state, [...out, answer("acquire", false, holder(created.state), { waitFor: lower[lower.length - 1]!.seq })])
    }
    case "Renew": {
      const node = zNodeOf(s, request.token)
      if (node === undefined || node.name !== request.name) return step(s, [answer("renew", false, holder(s))])
      const alive = heartbeat(s, node.owner)
      return step(alive.state, [...alive.out, answer("renew", true, node)])
    }
    case "Release": {
      const node = zNodeOf(s, request.token)
      if (node === undefined || node.name !== request.name) return step(s, [answer("release", false, holder(s))])
      const removed = removeChild(s, node.seq)
      return step(removed.state, [...removed.out, answer("release", true, undefined)])
    }
    case "Inspect": {
      const node = holder(s)
      return step(s, [answer("inspect", node !== undefined, node)])
    }
    case "Delete": {
      const node = holder(s)
      if (node === undefined) return step(s, [answer("delete", false, undefined)])
      const removed = removeChild(s, node.seq)
      return step(removed.state, [...removed.out, answer("delete", true, node)])
    }
    case "Watch": {
      if (s.expired.includes(request.owner)) return step(s, [answer("acquire", false, holder(s), { sessionExpired: true })])
      const alive = heartbeat(s, request.owner)
      const { state, exists } = watchChild(alive.state, { seq: request.token, watcher: request.owner, reply: { client, call: request.seq } })
      // Gone already: the watch fires at once, as exists() answering false sends the client back to list the children.
      return step(state, [...alive.out, ...(exists ? [] : [reply<ZkResponse>(client, { _tag: "Watched", seq: request.seq, token: request.token })])])
    }
  }
}
