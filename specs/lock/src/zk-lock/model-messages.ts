/**
 * The model's side of the ZooKeeper server: a client node's call on the
 * model's one lock (`/lock`), answered by message, as the recipe's client
 * library hears it. An expired session's calls are answered with the
 * expiry and nothing else.
 */
import { send, step } from "@parley/core"
import type { NodeId, Step } from "@parley/core"
import type { ZkMessage, ZkTimer } from "./messages.ts"
import type { ZkResponse } from "./requests.ts"
import { childrenOf, createChild, expireSession, heartbeat, removeChild, watchChild } from "./server.ts"
import type { ZkServerState } from "./server.ts"

/** The model's one lock. */
export const modelParent = "lock"

type ServerStep = Step<ZkServerState, ZkMessage, ZkTimer, ZkResponse>

export const zkServerOnMessage = (s: ZkServerState, from: NodeId, m: ZkMessage): ServerStep => {
  if (s.expired.includes(from)) return step(s, [send(from, { _tag: "SessionExpired" })])
  switch (m._tag) {
    case "Create": {
      const opened = heartbeat(s, from)
      const created = createChild(opened.state, modelParent, from)
      // A session's expiry is armed when it opens; the model's timer stays armed, so only the first create arms it.
      return step(created.state, [...created.out, send(from, { _tag: "Created", seq: created.seq }), ...(s.sessions.includes(from) ? [] : opened.out)])
    }
    case "GetChildren":
      return step(
        m.watch && !s.childWatches.includes(from) ? { ...s, childWatches: [...s.childWatches, from].sort() } : s,
        [send(from, { _tag: "Children", seqs: childrenOf(s, modelParent).map((n) => n.seq) })]
      )
    case "Exists": {
      const { state, exists } = watchChild(s, { seq: m.seq, watcher: from, reply: null })
      return step(state, [send(from, { _tag: "ExistsResult", seq: m.seq, exists })])
    }
    case "Delete": {
      const removed = removeChild(s, m.seq)
      return step(removed.state, [...removed.out, send(from, { _tag: "DeleteResult" })])
    }
    default:
      return step(s)
  }
}

/** A model client's session times out, and the client hears of it. */
export const zkServerOnTimer = (s: ZkServerState, timer: ZkTimer): ServerStep => (timer === "release" ? step(s) : expireSession(s, timer.session, true))
